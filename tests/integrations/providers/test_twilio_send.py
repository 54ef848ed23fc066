"""TwilioProvider.send against the fake API: the exact request, and every failure classified."""

import dataclasses

import pytest

from integrations.providers.base import ErrorKind, ProviderCredentials, ProviderError
from integrations.providers.twilio import TwilioProvider
from sms.models import MessageStatus
from tests.fakes.provider_server import TWILIO_SID, TWILIO_TOKEN
from tests.integrations.providers.samples import RECIPIENT, SENDER, STATUS_CALLBACK


def send_error(provider, sms) -> ProviderError:
    with pytest.raises(ProviderError) as excinfo:
        provider.send(sms)
    return excinfo.value


def test_it_posts_the_message_form_with_basic_auth_and_status_callback(
    twilio_adapter, outbound, fake_provider
):
    result = twilio_adapter.send(outbound)

    [request] = fake_provider.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    assert request.auth == (TWILIO_SID, TWILIO_TOKEN)
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.form == {
        "To": [RECIPIENT],
        "From": [SENDER],
        "Body": [outbound.body],
        "StatusCallback": [STATUS_CALLBACK],
    }
    assert result.provider_message_id.startswith("SM")
    assert result.provider_message_id == result.raw["sid"]
    assert result.status == MessageStatus.SENT
    assert result.segments == 1
    assert result.raw["to"] == RECIPIENT


def test_it_reports_the_number_twilio_sent_from(twilio_adapter, outbound, fake_provider):
    fake_provider.queue(
        "twilio.send", status=201, json={"sid": "SM" + "1" * 32, "from": "+15145550177"}
    )
    assert twilio_adapter.send(outbound).sender == "+15145550177"


def test_a_pool_send_without_a_number_yet_reports_no_sender(
    twilio_adapter, outbound, fake_provider
):
    fake_provider.queue("twilio.send", status=201, json={"sid": "SM" + "2" * 32, "from": None})
    assert twilio_adapter.send(outbound).sender == ""


def test_an_mms_answer_with_its_mm_id_is_accepted(twilio_adapter, outbound, fake_provider):
    fake_provider.queue("twilio.send", status=201, json={"sid": "MM" + "3" * 32, "from": SENDER})
    assert twilio_adapter.send(outbound).provider_message_id == "MM" + "3" * 32


def test_it_leaves_out_status_callback_when_there_is_none(twilio_adapter, outbound, fake_provider):
    twilio_adapter.send(dataclasses.replace(outbound, status_callback_url=None))
    assert "StatusCallback" not in fake_provider.requests[0].form


def test_it_reads_the_segment_count_twilio_reports(twilio_adapter, outbound):
    result = twilio_adapter.send(dataclasses.replace(outbound, body="x" * 200))
    assert result.segments == 2


@pytest.mark.parametrize(
    ("code", "readable"),
    [
        (21211, "The phone number is not a valid phone number (Twilio 21211)"),
        (21614, "The phone number is not a valid mobile number (Twilio 21614)"),
        (21612, "The phone number cannot be reached from the sender number (Twilio 21612)"),
        (21408, "Sending to this country is not enabled on the Twilio account (Twilio 21408)"),
        (21606, "The sender number cannot send SMS from this Twilio account (Twilio 21606)"),
    ],
)
def test_it_classifies_invalid_numbers_as_permanent(
    twilio_adapter, outbound, fake_provider, code, readable
):
    fake_provider.queue_twilio_error(code)

    error = send_error(twilio_adapter, outbound)

    assert error.kind is ErrorKind.PERMANENT
    assert error.code == str(code)
    assert error.message == readable
    assert not error.opted_out
    assert fake_provider.sends_to(RECIPIENT) == 0


def test_it_marks_a_stop_blocked_recipient_as_opted_out(twilio_adapter, outbound, fake_provider):
    fake_provider.queue_twilio_error(21610)

    error = send_error(twilio_adapter, outbound)

    assert error.kind is ErrorKind.PERMANENT
    assert error.opted_out is True
    assert error.code == "21610"
    assert "opted out" in error.message


def test_it_classifies_rejected_credentials_as_permanent(outbound, fake_provider):
    provider = TwilioProvider(ProviderCredentials(TWILIO_SID, "not-the-token", SENDER))

    error = send_error(provider, outbound)

    assert error.kind is ErrorKind.PERMANENT
    assert error.code == "20003"
    assert error.message == "Twilio rejected the credentials (Twilio 20003)"
    assert fake_provider.requests[0].response_status == 401


def test_it_classifies_other_client_errors_as_permanent_with_twilios_reason(
    twilio_adapter, outbound, fake_provider
):
    fake_provider.queue_twilio_error(21602, message="Message body is required.")

    error = send_error(twilio_adapter, outbound)

    assert error.kind is ErrorKind.PERMANENT
    assert error.message == "Twilio rejected the message: Message body is required (Twilio 21602)"


def test_it_retries_a_429_after_the_time_twilio_asks_for(twilio_adapter, outbound, fake_provider):
    fake_provider.queue_twilio_error(20429, status=429, retry_after=7)

    error = send_error(twilio_adapter, outbound)

    assert error.kind is ErrorKind.TRANSIENT
    assert error.code == "20429"
    assert error.retry_after == 7.0


def test_a_429_without_retry_after_is_still_transient(twilio_adapter, outbound, fake_provider):
    fake_provider.queue("twilio.send", status=429, json={"code": 20429, "status": 429})

    error = send_error(twilio_adapter, outbound)

    assert error.kind is ErrorKind.TRANSIENT
    assert error.retry_after is None


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_is_ambiguous(twilio_adapter, outbound, fake_provider, status):
    fake_provider.queue(
        "twilio.send", status=status, json={"code": 20500, "message": "Internal", "status": status}
    )

    error = send_error(twilio_adapter, outbound)

    assert error.kind is ErrorKind.AMBIGUOUS
    assert f"HTTP {status}" in error.message
    assert "may have been sent" in error.message


def test_a_read_timeout_is_ambiguous_because_twilio_may_have_sent_it(
    twilio_adapter, outbound, fake_provider, settings
):
    settings.SMS_PROVIDER_READ_TIMEOUT = 0.3
    fake_provider.queue("twilio.send", delay=2)

    error = send_error(twilio_adapter, outbound)

    assert error.kind is ErrorKind.AMBIGUOUS
    assert error.code == "read_timeout"
    assert fake_provider.sends_to(RECIPIENT) == 1  # it was sent: retrying would send it twice


def test_a_refused_connection_is_transient(twilio_adapter, outbound, settings, closed_port_url):
    settings.TWILIO_API_BASE_URL = closed_port_url

    error = send_error(twilio_adapter, outbound)

    assert error.kind is ErrorKind.TRANSIENT
    assert (
        error.message
        == "Twilio could not be reached (the connection was refused); nothing was sent."
    )


def test_a_changed_api_address_gets_a_new_kept_client(
    twilio_adapter, outbound, fake_provider, settings, closed_port_url
):
    twilio_adapter.send(outbound)
    settings.TWILIO_API_BASE_URL = closed_port_url

    error = send_error(twilio_adapter, outbound)

    assert error.kind is ErrorKind.TRANSIENT  # it called the new address, not the kept one
    assert fake_provider.sends_to(RECIPIENT) == 1


def test_an_unresolvable_host_is_transient(twilio_adapter, outbound, settings):
    settings.TWILIO_API_BASE_URL = "http://api.nextal-test.invalid"

    error = send_error(twilio_adapter, outbound)

    assert error.kind is ErrorKind.TRANSIENT
    assert "host name could not be resolved" in error.message


def test_an_accepted_send_with_an_unreadable_answer_is_ambiguous(
    twilio_adapter, outbound, fake_provider
):
    fake_provider.queue_unparseable("twilio.send")

    error = send_error(twilio_adapter, outbound)

    assert error.kind is ErrorKind.AMBIGUOUS
    assert error.code == "unreadable_response"
    assert error.message == (
        "Twilio accepted the request but its answer was not JSON; the message may have been sent."
    )
    assert fake_provider.sends_to(RECIPIENT) == 1


def test_an_accepted_send_without_a_message_id_is_ambiguous(
    twilio_adapter, outbound, fake_provider
):
    fake_provider.queue("twilio.send", status=201, json={"status": "queued", "sid": None})

    error = send_error(twilio_adapter, outbound)

    assert error.kind is ErrorKind.AMBIGUOUS
    assert error.message == (
        "Twilio accepted the request but its answer has no message id; "
        "the message may have been sent."
    )


NO_TOKEN = "Twilio's Auth Token is not set or could not be decrypted; enter it again."
BAD_SID = "The Twilio Account SID is malformed."


@pytest.mark.parametrize(
    ("account_id", "secret", "message"),
    [
        (TWILIO_SID, "", NO_TOKEN),
        ("ACnot-a-sid", TWILIO_TOKEN, BAD_SID),
        ("", TWILIO_TOKEN, BAD_SID),
    ],
)
def test_it_refuses_to_call_twilio_without_usable_credentials(
    outbound, fake_provider, account_id, secret, message
):
    provider = TwilioProvider(ProviderCredentials(account_id, secret, SENDER))

    error = send_error(provider, outbound)

    assert (error.kind, error.message) == (ErrorKind.PERMANENT, message)
    assert error.code == "credentials"
    assert fake_provider.requests == []


RATE_LIMITED = "Twilio is rate limiting requests"


@pytest.mark.parametrize(
    ("status", "answer", "kind", "code", "message"),
    [
        (
            429,
            {"code": 20429, "status": 429},
            "transient",
            "20429",
            f"{RATE_LIMITED} (Twilio 20429)",
        ),
        (429, None, "transient", "429", f"{RATE_LIMITED} (HTTP 429)"),
        (
            400,
            {"code": 20429, "status": 400},
            "transient",
            "20429",
            f"{RATE_LIMITED} (Twilio 20429)",
        ),
        (403, None, "permanent", "403", "Twilio rejected the credentials (HTTP 403)"),
        (
            503,
            None,
            "ambiguous",
            "503",
            "Twilio failed with HTTP 503; the message may have been sent.",
        ),
        (404, None, "permanent", "404", "Twilio rejected the message (HTTP 404)"),
    ],
)
def test_each_error_answer_reads_as_its_kind_code_and_reason(
    twilio_adapter, outbound, fake_provider, status, answer, kind, code, message
):
    """Every branch of Twilio's error answers, with and without its JSON: the code is Twilio's
    own when it gives one, else the HTTP status."""
    if answer is None:
        fake_provider.queue("twilio.send", status=status, body=b"<html>error</html>")
    else:
        fake_provider.queue("twilio.send", status=status, json=answer)

    error = send_error(twilio_adapter, outbound)

    assert (error.kind.value, str(error.code), error.message) == (kind, code, message)
    assert error.retry_after is None  # no Retry-After given
