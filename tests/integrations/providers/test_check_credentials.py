"""check_credentials: accepted, rejected or not verified, asking each provider's account API."""

import time

import pytest

from integrations.providers.base import ProviderCredentials
from integrations.providers.clicksend import ClickSendProvider
from integrations.providers.twilio import TwilioProvider
from tests.fakes.provider_server import (
    CLICKSEND_API_KEY,
    CLICKSEND_USERNAME,
    TWILIO_SID,
    TWILIO_TOKEN,
)

PROVIDERS = {
    "twilio": (TwilioProvider, TWILIO_SID, TWILIO_TOKEN, f"/2010-04-01/Accounts/{TWILIO_SID}.json"),
    "clicksend": (ClickSendProvider, CLICKSEND_USERNAME, CLICKSEND_API_KEY, "/v3/account"),
}


@pytest.fixture(params=PROVIDERS)
def provider_kind(request):
    return request.param


def provider(kind, secret=None):
    cls, account_id, accepted_secret, _ = PROVIDERS[kind]
    return cls(ProviderCredentials(account_id, accepted_secret if secret is None else secret))


def test_it_accepts_valid_credentials_with_one_authenticated_get(fake_provider, provider_kind):
    _, account_id, secret, path = PROVIDERS[provider_kind]

    check = provider(provider_kind).check_credentials()

    assert check.valid is True
    assert check.message.startswith("Accepted by")
    [request] = fake_provider.requests
    assert (request.method, request.path, request.auth) == ("GET", path, (account_id, secret))


def test_it_reports_rejected_credentials(fake_provider, provider_kind):
    check = provider(provider_kind, secret="wrong-secret").check_credentials()

    assert check.valid is False
    display_name = PROVIDERS[provider_kind][0].display_name
    assert check.message == f"Rejected by {display_name}: authentication failed."


@pytest.mark.parametrize("status", [401, 403])
def test_a_refusal_of_either_kind_is_rejected_credentials(fake_provider, provider_kind, status):
    fake_provider.queue(f"{provider_kind}.account", status=status, json={"message": "no"})

    check = provider(provider_kind).check_credentials()

    display_name = PROVIDERS[provider_kind][0].display_name
    assert (check.valid, check.message) == (
        False,
        f"Rejected by {display_name}: authentication failed.",
    )


def test_without_a_secret_it_asks_for_it_and_calls_nobody(fake_provider, provider_kind):
    check = provider(provider_kind, secret="").check_credentials()

    secret_label = PROVIDERS[provider_kind][0].secret_label
    assert (check.valid, check.message) == (False, f"No {secret_label} is set; enter it again.")
    assert fake_provider.requests == []


def test_it_reports_an_unreachable_provider_as_not_verified(
    settings, closed_port_url, provider_kind
):
    settings.TWILIO_API_BASE_URL = settings.CLICKSEND_API_BASE_URL = closed_port_url

    check = provider(provider_kind).check_credentials()

    assert check.valid is None
    assert check.message.startswith("Not verified:")
    assert "connection was refused" in check.message


def test_it_reports_a_server_error_as_not_verified(fake_provider, provider_kind):
    route = f"{provider_kind}.account"
    fake_provider.queue(route, status=503, body=b"Service Unavailable")

    check = provider(provider_kind).check_credentials()

    assert check.valid is None
    assert check.message.endswith("answered HTTP 503.")


def test_it_gives_up_quickly_on_a_provider_that_does_not_answer(fake_provider, provider_kind):
    # Answers after 30 s; the check's read timeout is 3 s: well under 30 s proves it gave up.
    fake_provider.queue(f"{provider_kind}.account", delay=30)
    started = time.monotonic()

    check = provider(provider_kind).check_credentials()

    assert check.valid is None
    assert "did not answer in time" in check.message
    assert time.monotonic() - started < 15


def test_it_rejects_a_missing_secret_without_calling(fake_provider, provider_kind):
    check = provider(provider_kind, secret="").check_credentials()

    assert check.valid is False
    assert fake_provider.requests == []


def test_it_rejects_a_malformed_account_sid_without_calling(fake_provider):
    check = TwilioProvider(ProviderCredentials("AC123", TWILIO_TOKEN)).check_credentials()

    assert check.valid is False
    assert "32 hexadecimal characters" in check.message
    assert fake_provider.requests == []


def test_it_rejects_a_twilio_account_sid_that_does_not_exist(fake_provider):
    fake_provider.queue_twilio_error(
        20404, status=404, message="The requested resource was not found", route="twilio.account"
    )

    check = provider("twilio").check_credentials()

    assert check.valid is False
    assert check.message == "Rejected by Twilio: no account has this SID."


def test_an_unreadable_twilio_account_answer_is_not_verified(fake_provider):
    fake_provider.queue_unparseable("twilio.account")

    check = provider("twilio").check_credentials()

    assert (check.valid, check.message) == (
        None,
        "Not verified: Twilio's answer could not be read.",
    )
