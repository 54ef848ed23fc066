"""What a setup call (webhook wiring, sender check) says when it cannot even start or reach the
provider: the card shows these words."""

import pytest

from integrations.providers.base import ProviderCredentials, SetupError, shown_url
from integrations.providers.clicksend import ClickSendProvider
from integrations.providers.twilio import TwilioProvider
from tests.fakes.provider_server import CLICKSEND_USERNAME, TWILIO_SID, TWILIO_TOKEN


@pytest.mark.parametrize(
    "credentials",
    [
        ProviderCredentials(TWILIO_SID, ""),
        ProviderCredentials("not-a-sid", TWILIO_TOKEN),
    ],
)
def test_twilio_setup_without_usable_credentials_asks_for_them(credentials, fake_provider):
    with pytest.raises(SetupError) as excinfo:
        TwilioProvider(credentials).connect_webhooks()
    assert str(excinfo.value) == "the Account SID or Auth Token is missing."
    assert fake_provider.requests == []


def test_clicksend_setup_without_an_api_key_asks_for_it(fake_provider):
    with pytest.raises(SetupError) as excinfo:
        ClickSendProvider(ProviderCredentials(CLICKSEND_USERNAME, "")).connect_webhooks()
    assert str(excinfo.value) == "the API Key is missing."
    assert fake_provider.requests == []


@pytest.mark.parametrize(
    ("provider", "setting"),
    [
        (TwilioProvider(ProviderCredentials(TWILIO_SID, TWILIO_TOKEN)), "TWILIO_API_BASE_URL"),
        (
            ClickSendProvider(
                ProviderCredentials(CLICKSEND_USERNAME, "key", webhook_token="t" * 32)
            ),
            "CLICKSEND_API_BASE_URL",
        ),
    ],
)
def test_an_unreachable_provider_says_so_in_one_sentence(
    provider, setting, settings, closed_port_url
):
    setattr(settings, setting, closed_port_url)
    with pytest.raises(SetupError) as excinfo:
        provider.connect_webhooks()
    name = provider.display_name
    assert str(excinfo.value) == f"{name} could not be reached (the connection was refused)."


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://crm:s3cr3t@crm.example.org/sms", "https://…@crm.example.org/sms"),
        ("https://token@crm.example.org:8443/sms?x=1", "https://…@crm.example.org:8443/sms?x=1"),
        ("https://:pw@crm.example.org/", "https://…@crm.example.org/"),
        ("https://crm.example.org/sms", "https://crm.example.org/sms"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_url_from_a_provider_is_shown_without_its_credentials(url, shown):
    assert shown_url(url) == shown
