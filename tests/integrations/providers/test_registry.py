"""The registry builds configured adapters; each adapter names its webhook URLs and labels."""

import pytest

from integrations.models import Integration
from integrations.providers import provider_class, provider_for
from integrations.providers.clicksend import ClickSendProvider
from integrations.providers.twilio import TwilioProvider
from tests.fakes.provider_server import CLICKSEND_API_KEY, CLICKSEND_USERNAME
from tests.integrations.providers.samples import WEBHOOK_TOKEN


@pytest.mark.parametrize(
    ("kind", "cls", "labels"),
    [
        ("twilio", TwilioProvider, ("Twilio", "Account SID", "Auth Token")),
        ("clicksend", ClickSendProvider, ("ClickSend", "Username", "API Key")),
    ],
)
def test_each_kind_maps_to_its_adapter_and_labels(kind, cls, labels):
    assert provider_class(kind) is cls
    assert cls.kind == kind
    assert (cls.display_name, cls.account_id_label, cls.secret_label) == labels


def test_provider_for_passes_the_integrations_credentials_and_webhook_token():
    integration = Integration(
        kind="clicksend",
        account_id=CLICKSEND_USERNAME,
        secret=CLICKSEND_API_KEY,
        phone_number="+61400000000",
        webhook_token=WEBHOOK_TOKEN,
    )

    provider = provider_for(integration)

    assert isinstance(provider, ClickSendProvider)
    assert provider.credentials.account_id == CLICKSEND_USERNAME
    assert provider.credentials.secret == CLICKSEND_API_KEY
    assert provider.credentials.phone_number == "+61400000000"
    assert provider.credentials.webhook_token == WEBHOOK_TOKEN
    assert provider_for(integration, secret="typed-in").credentials.secret == "typed-in"


def test_twilio_has_one_inbound_url_on_the_public_base_url():
    assert TwilioProvider.webhook_urls(WEBHOOK_TOKEN) == [
        ("Inbound message URL", "https://nextal.example.com/webhooks/twilio/inbound/")
    ]


def test_clicksend_urls_carry_the_secret_token():
    assert ClickSendProvider.webhook_urls("tok123") == [
        ("Inbound SMS URL", "https://nextal.example.com/webhooks/clicksend/tok123/inbound/"),
        (
            "Delivery receipt URL",
            "https://nextal.example.com/webhooks/clicksend/tok123/receipts/",
        ),
    ]


def test_clicksend_takes_a_sender_id_of_3_to_11_characters_with_a_letter():
    from django.core.exceptions import ValidationError

    assert ClickSendProvider.clean_alpha_sender("  Nextal ") == "Nextal"
    assert ClickSendProvider.clean_alpha_sender("") == ""
    for bad in ("AB", "TwelveLetter", "12345", "Nextal Jobs"):
        with pytest.raises(ValidationError) as excinfo:
            ClickSendProvider.clean_alpha_sender(bad)
        assert excinfo.value.messages == [
            "A sender ID has 3 to 11 letters, digits or +, and at least one letter."
        ]
        assert excinfo.value.code == "invalid"


def test_a_provider_without_a_feature_refuses_its_setting_and_accepts_it_blank():
    from django.core.exceptions import ValidationError

    assert ClickSendProvider.clean_messaging_service_sid("  ") == ""
    assert ClickSendProvider.clean_messaging_service_sid(None) == ""
    with pytest.raises(ValidationError) as excinfo:
        ClickSendProvider.clean_messaging_service_sid("MG" + "0" * 32)
    assert excinfo.value.messages == ["ClickSend has no Messaging Services."]
    assert TwilioProvider.clean_alpha_sender(None) == ""
    with pytest.raises(ValidationError) as excinfo:
        TwilioProvider.clean_alpha_sender("Nextal")
    assert excinfo.value.messages == ["Twilio does not send from alphanumeric IDs."]


def test_an_account_sid_is_ac_and_32_hex_characters():
    from django.core.exceptions import ValidationError

    sid = "AC" + "0123456789abcdef" * 2
    assert TwilioProvider.clean_account_id(f"  {sid} ") == sid
    with pytest.raises(ValidationError) as excinfo:
        TwilioProvider.clean_account_id("AC123")
    assert excinfo.value.messages == [
        "Enter a valid Account SID: AC followed by 32 hexadecimal characters, as shown "
        "in the Twilio Console."
    ]
    assert excinfo.value.code == "invalid"


def test_a_messaging_service_sid_is_mg_and_32_hex_characters():
    from django.core.exceptions import ValidationError

    sid = "MG" + "0123456789abcdef" * 2
    assert TwilioProvider.clean_messaging_service_sid(f" {sid} ") == sid
    assert TwilioProvider.clean_messaging_service_sid(None) == ""
    with pytest.raises(ValidationError) as excinfo:
        TwilioProvider.clean_messaging_service_sid("MG123")
    assert excinfo.value.messages == [
        "Enter a valid Messaging Service SID: MG followed by 32 hexadecimal characters, "
        "as shown under Messaging → Services in the Twilio Console."
    ]
    assert excinfo.value.code == "invalid"


def test_a_clicksend_username_is_trimmed_and_at_most_the_columns_length():
    from django.core.exceptions import ValidationError

    longest = "u" * Integration._meta.get_field("account_id").max_length
    assert ClickSendProvider.clean_account_id(f"  {longest} ") == longest
    assert ClickSendProvider.clean_account_id(None) == ""
    with pytest.raises(ValidationError) as excinfo:
        ClickSendProvider.clean_account_id(longest + "u")
    assert excinfo.value.messages == ["This is too long."]
    assert excinfo.value.code == "max_length"
