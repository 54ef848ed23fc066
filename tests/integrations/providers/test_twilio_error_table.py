"""How the Twilio adapter reads a failed call (the SDK's exception and the last response it
saw), and which Media URLs get the Auth Token.

Most cases go through the fake server in test_twilio_send.py; these are the combinations a
server cannot produce on demand: an exception without the response, a response without an
exception status, a code that is not a number, a rate-limit code on another HTTP status."""

import pytest
from django.test import override_settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.response import Response

from integrations.providers.base import ErrorKind, ProviderCredentials, SetupError
from integrations.providers.twilio import TwilioProvider
from tests.fakes.provider_server import TWILIO_SID, TWILIO_TOKEN

URI = f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"


def provider() -> TwilioProvider:
    return TwilioProvider(ProviderCredentials(TWILIO_SID, TWILIO_TOKEN))


def rest_error(status, code=None, msg="Refused"):
    return TwilioRestException(status, URI, msg=msg, code=code, method="POST")


@pytest.mark.parametrize(
    ("exc", "response", "kind", "code", "words"),
    [
        # The exception's own status counts without the response...
        (rest_error(401), None, ErrorKind.PERMANENT, "401", "rejected the credentials"),
        (rest_error(429), None, ErrorKind.TRANSIENT, "429", "rate limiting"),
        # ...and the response's when the exception carries none.
        (
            TwilioException("?"),
            Response(401, "{}", headers={}),
            ErrorKind.PERMANENT,
            "401",
            "credentials",
        ),
        (
            TwilioException("?"),
            Response(403, "{}", headers={}),
            ErrorKind.PERMANENT,
            "403",
            "credentials",
        ),
        # Twilio's rate-limit code is rate limiting whatever the HTTP status.
        (
            rest_error(400, 20429),
            Response(400, "{}", headers={}),
            ErrorKind.TRANSIENT,
            "20429",
            "rate limit",
        ),
        # A code that is not a number is no known code: an ordinary refusal, never a crash.
        (
            rest_error(400, ["21211"]),
            Response(400, "{}", headers={}),
            ErrorKind.PERMANENT,
            "['21211']",
            "rej",
        ),
    ],
    ids=["401-alone", "429-alone", "401-response", "403-response", "20429-on-400", "list-code"],
)
def test_each_failure_reads_as_its_kind(exc, response, kind, code, words):
    error = provider()._error_from(exc, response)
    assert (error.kind, error.code) == (kind, code)
    assert words in error.message


@pytest.mark.parametrize(
    ("response", "message"),
    [
        # Twilio's own words from the body, not the SDK's...
        (
            Response(400, '{"message": "The To number is not valid."}', headers={}),
            "Twilio rejected the message: The To number is not valid (HTTP 400)",
        ),
        # Without a readable body only the status is named: the SDK's words say nothing.
        (None, "Twilio rejected the message (HTTP 400)"),
        (
            Response(400, "not json", headers={}),
            "Twilio rejected the message (HTTP 400)",
        ),
    ],
    ids=["body", "no-response", "unreadable-body"],
)
def test_another_refusal_names_twilios_words(response, message):
    error = provider()._error_from(rest_error(400, msg="Refused here."), response)
    assert (error.kind, error.code, error.message) == (ErrorKind.PERMANENT, "400", message)


def test_another_refusal_without_words_names_the_status():
    error = provider()._error_from(rest_error(404, msg=""), None)
    assert error.message == "Twilio rejected the message (HTTP 404)"


def test_twilios_rate_limit_code_alone_is_a_rate_limit():
    error = provider()._error_from(rest_error(400, 20429), None)
    assert (error.kind, error.code) == (ErrorKind.TRANSIENT, "20429")
    assert error.message == "Twilio is rate limiting requests (Twilio 20429)"


def test_a_rate_limit_without_a_response_has_no_retry_after():
    error = provider()._error_from(rest_error(429, 20429), None)
    assert (error.kind, error.retry_after) == (ErrorKind.TRANSIENT, None)


def test_a_rate_limits_retry_after_comes_from_the_response():
    response = Response(429, "{}", headers={"Retry-After": "42"})
    error = provider()._error_from(rest_error(429, 20429), response)
    assert error.retry_after == 42.0


def test_twilios_rate_limit_code_on_another_status_honours_retry_after():
    response = Response(400, "{}", headers={"Retry-After": "7"})
    error = provider()._error_from(rest_error(400, 20429), response)
    assert (error.kind, error.retry_after) == (ErrorKind.TRANSIENT, 7.0)


def test_a_refusal_keeps_twilios_words_to_their_last_letter():
    response = Response(400, '{"message": "No sender for region LATAM-MX."}', headers={})
    error = provider()._error_from(rest_error(400), response)
    assert error.message == "Twilio rejected the message: No sender for region LATAM-MX (HTTP 400)"


MEDIA = f"/2010-04-01/Accounts/{TWILIO_SID}/Messages/MM{'a' * 32}/Media/ME{'b' * 32}"


@override_settings(TWILIO_API_BASE_URL="https://api.twilio.com")
@pytest.mark.parametrize(
    ("url", "gets_the_token"),
    [
        (f"https://api.twilio.com{MEDIA}", True),
        (f"https://api.twilio.com{MEDIA}?download=1", False),
        (f"https://api.twilio.com{MEDIA}#top", False),
        (f"https://user@api.twilio.com{MEDIA}", False),
        (f"https://:secret@api.twilio.com{MEDIA}", False),
        (f"http://api.twilio.com{MEDIA}", False),
        (f"https://api.twilio.com.example.org{MEDIA}", False),
        (f"https://api.twilio.com{MEDIA.replace(TWILIO_SID, 'AC' + '0' * 32)}", False),
        ("", False),
    ],
    ids=["media", "query", "fragment", "user", "password", "http", "other-host", "other-acct", ""],
)
def test_only_this_accounts_media_urls_on_twilios_host_get_the_token(url, gets_the_token):
    expected = (TWILIO_SID, TWILIO_TOKEN) if gets_the_token else None
    assert provider().media_credentials(url) == expected


@pytest.mark.parametrize("status", [401, 403])
def test_a_setup_call_refused_before_any_answer_names_the_credentials(status):
    """A setup call whose SDK raises with the status before any response was kept."""

    def refused(client, *args):
        raise rest_error(status)

    with pytest.raises(SetupError, match=r"^Twilio rejected the credentials\.$"):
        provider()._setup_call(refused)


def test_a_setup_call_refused_otherwise_names_the_status_and_code():
    def refused(client, *args):
        raise rest_error(404, 20404)

    with pytest.raises(SetupError, match=r"^Twilio answered HTTP 404 \(20404\)"):
        provider()._setup_call(refused)


def test_a_setup_call_refused_without_a_code_or_words_names_the_status():
    def refused(client, *args):
        raise rest_error(404)

    with pytest.raises(SetupError, match=r"^Twilio answered HTTP 404\.$"):
        provider()._setup_call(refused)


def test_a_setup_call_whose_sdk_raises_before_any_request_is_a_setup_error():
    def raises_at_once(client, *args):
        raise TwilioException("Invalid argument")

    with pytest.raises(SetupError):
        provider()._setup_call(raises_at_once)


@pytest.mark.parametrize(
    ("credentials", "words"),
    [
        (ProviderCredentials(TWILIO_SID, ""), "No Auth Token is set; enter it again."),
        (
            ProviderCredentials("AC123", TWILIO_TOKEN),
            "The Account SID must be “AC” followed by 32 hexadecimal characters.",
        ),
    ],
    ids=["no-token", "bad-sid"],
)
def test_a_credential_check_that_cannot_start_says_why(credentials, words):
    check = TwilioProvider(credentials).check_credentials()
    assert (check.valid, check.message) == (False, words)


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (200, "Twilio's answer could not be read."),
        (299, "Twilio's answer could not be read."),
        (300, "Twilio answered HTTP 300."),
        (199, "Twilio answered HTTP 199."),
    ],
)
def test_a_success_the_sdk_could_not_read_is_an_unreadable_answer(status, words):
    def unreadable(client, *args):
        client.http_client.last_response = Response(status, "<html>", headers={})
        raise TwilioException("Unable to parse the answer")

    with pytest.raises(SetupError) as raised:
        provider()._setup_call(unreadable)
    assert raised.value.message == words
