"""The words an adapter puts on a failure: a code's family in plain language, Twilio's own
message out of an error body, and what a rejected webhook says."""

import pytest
from twilio.http.response import Response

from integrations.providers.base import ProviderCredentials, WebhookRejected
from integrations.providers.clicksend import ClickSendProvider
from integrations.providers.twilio import TwilioProvider, _error_payload_message


@pytest.mark.parametrize(
    ("provider", "code", "words"),
    [
        (TwilioProvider, "21610", "the recipient opted out (replied STOP)"),
        (TwilioProvider, 21211, "the recipient's number is not valid"),  # an int code too
        (ClickSendProvider, "INSUFFICIENT_CREDIT", "the ClickSend account ran out of credit"),
        (TwilioProvider, "99999", "error 99999"),  # unknown: the code itself, never blank
        (ClickSendProvider, "SOMETHING_NEW", "error SOMETHING_NEW"),
        (TwilioProvider, "", "no error code"),
        (TwilioProvider, None, "no error code"),
    ],
)
def test_a_failure_code_reads_as_its_family(provider, code, words):
    assert provider.failure_family(code) == words


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"code": 21211, "message": "Invalid To Phone Number"}', "Invalid To Phone Number"),
        ("<html>Bad gateway</html>", ""),  # not JSON
        ('["a list"]', ""),  # JSON, but not an object
        ('{"message": 42}', ""),  # a message that is not text
        ('{"code": 21211}', ""),
    ],
)
def test_twilios_own_message_is_read_out_of_an_error_body(body, message):
    assert _error_payload_message(Response(400, body)) == message


def test_no_response_at_all_has_no_message():
    assert _error_payload_message(None) == ""


def test_an_adapter_names_itself_and_its_account_never_its_secret():
    provider = TwilioProvider(ProviderCredentials("AC123", "a-secret-token", "+15005550006"))
    assert repr(provider) == "<TwilioProvider 'AC123'>"
    assert "a-secret-token" not in repr(provider)


def test_a_rejected_webhook_says_why():
    rejected = WebhookRejected(403, "The signature does not match.")
    assert (rejected.status, rejected.reason, str(rejected)) == (
        403,
        "The signature does not match.",
        "The signature does not match.",
    )
