"""ClickSendProvider.send against the fake API: the exact request, and every failure classified."""

import dataclasses

import pytest

from integrations.providers.base import ErrorKind, ProviderCredentials, ProviderError
from integrations.providers.clicksend import ClickSendProvider
from sms.models import MessageStatus
from tests.fakes.provider_server import CLICKSEND_API_KEY, CLICKSEND_USERNAME
from tests.integrations.providers.samples import RECIPIENT, SENDER, payload


def send_error(provider, sms) -> ProviderError:
    with pytest.raises(ProviderError) as excinfo:
        provider.send(sms)
    return excinfo.value


def test_it_posts_one_json_message_with_basic_auth_source_and_reference(
    clicksend_adapter, outbound, fake_provider
):
    result = clicksend_adapter.send(outbound)

    [request] = fake_provider.requests
    assert request.method == "POST"
    assert request.path == "/v3/sms/send"
    assert request.auth == (CLICKSEND_USERNAME, CLICKSEND_API_KEY)
    assert request.headers["Content-Type"] == "application/json"
    assert request.json == {
        "messages": [
            {
                "to": RECIPIENT,
                "body": outbound.body,
                "from": SENDER,
                "source": "nextal",
                "custom_string": "42",
            }
        ]
    }
    message = result.raw["data"]["messages"][0]
    assert result.provider_message_id == message["message_id"]
    assert result.provider_message_id.isupper()
    assert result.status == MessageStatus.SENT
    assert result.segments == 1
    assert fake_provider.sends_to(RECIPIENT) == 1


def test_it_lets_clicksend_pick_the_sender_when_none_is_set(fake_provider, outbound):
    provider = ClickSendProvider(ProviderCredentials(CLICKSEND_USERNAME, CLICKSEND_API_KEY))

    provider.send(dataclasses.replace(outbound, sender=""))

    assert "from" not in fake_provider.requests[0].json["messages"][0]


def test_it_reads_the_message_parts(clicksend_adapter, outbound):
    result = clicksend_adapter.send(dataclasses.replace(outbound, body="é" * 100))
    assert result.segments == 2


def test_it_accepts_the_real_answer_the_strict_sdk_models_reject(
    clicksend_adapter, outbound, fake_provider
):
    answer = payload("clicksend_send_response_loose.json")
    fake_provider.queue("clicksend.send", json=answer)

    result = clicksend_adapter.send(outbound)

    assert result.provider_message_id == "1F12D717-947A-6FBC-BBFE-D14C2927CEEF"
    assert result.segments == 1
    assert result.raw == answer


def test_it_accepts_the_fakes_loose_type_variant(clicksend_adapter, outbound, fake_provider):
    fake_provider.queue_clicksend_loose_types()
    assert clicksend_adapter.send(outbound).status == MessageStatus.SENT


@pytest.mark.parametrize(
    ("message_status", "readable"),
    [
        ("INVALID_RECIPIENT", "The phone number is not a valid mobile number"),
        ("COUNTRY_NOT_ENABLED", "Sending to this country is not enabled on the ClickSend account"),
        ("INVALID_SENDER_ID", "ClickSend does not allow this sender number"),
        ("INSUFFICIENT_CREDIT", "The ClickSend account has run out of credit"),
        ("ACCOUNT_NOT_ACTIVATED", "The ClickSend account is not activated"),
        ("INVALID_CREDENTIALS", "ClickSend rejected the credentials"),
        ("SOMETHING_NEW", "ClickSend did not accept the message"),
    ],
)
def test_a_rejected_message_in_a_200_answer_is_permanent(
    clicksend_adapter, outbound, fake_provider, message_status, readable
):
    fake_provider.queue_clicksend_rejected(message_status)

    error = send_error(clicksend_adapter, outbound)

    assert error.kind is ErrorKind.PERMANENT
    assert error.code == message_status
    assert error.message == f"{readable} (ClickSend {message_status})"
    assert fake_provider.sends_to(RECIPIENT) == 0


def test_a_throttled_message_is_transient(clicksend_adapter, outbound, fake_provider):
    fake_provider.queue_clicksend_rejected("THROTTLED")

    error = send_error(clicksend_adapter, outbound)

    assert error.kind is ErrorKind.TRANSIENT
    assert error.code == "THROTTLED"


def test_wrong_credentials_are_permanent(fake_provider, outbound):
    provider = ClickSendProvider(ProviderCredentials(CLICKSEND_USERNAME, "wrong-key", SENDER))

    error = send_error(provider, outbound)

    assert error.kind is ErrorKind.PERMANENT
    assert error.message == "ClickSend rejected the credentials (ClickSend UNAUTHORIZED)"
    assert fake_provider.requests[0].response_status == 401


def test_a_429_is_retried_after_the_time_clicksend_asks_for(
    clicksend_adapter, outbound, fake_provider
):
    fake_provider.queue(
        "clicksend.send",
        status=429,
        json={"http_code": 429, "response_code": "TOO_MANY_REQUESTS", "data": None},
        headers={"Retry-After": "12"},
    )

    error = send_error(clicksend_adapter, outbound)

    assert error.kind is ErrorKind.TRANSIENT
    assert error.code == "TOO_MANY_REQUESTS"
    assert error.retry_after == 12.0


def test_another_client_error_is_permanent_with_clicksends_reason(
    clicksend_adapter, outbound, fake_provider
):
    fake_provider.queue(
        "clicksend.send",
        status=400,
        json={"http_code": 400, "response_code": "BAD_REQUEST", "response_msg": "Body missing."},
    )

    error = send_error(clicksend_adapter, outbound)

    assert error.kind is ErrorKind.PERMANENT
    assert error.message == "ClickSend rejected the message: Body missing (ClickSend BAD_REQUEST)"


def test_a_server_error_is_ambiguous(clicksend_adapter, outbound, fake_provider):
    fake_provider.queue("clicksend.send", status=500, body=b"Internal Server Error")

    error = send_error(clicksend_adapter, outbound)

    assert error.kind is ErrorKind.AMBIGUOUS
    assert error.message == "ClickSend failed with HTTP 500; the message may have been sent."


def test_a_read_timeout_is_ambiguous(clicksend_adapter, outbound, fake_provider, settings):
    settings.SMS_PROVIDER_READ_TIMEOUT = 0.3
    fake_provider.queue("clicksend.send", delay=2)

    error = send_error(clicksend_adapter, outbound)

    assert error.kind is ErrorKind.AMBIGUOUS
    assert error.code == "read_timeout"
    assert fake_provider.sends_to(RECIPIENT) == 1


def test_a_refused_connection_is_transient(clicksend_adapter, outbound, settings, closed_port_url):
    settings.CLICKSEND_API_BASE_URL = closed_port_url

    error = send_error(clicksend_adapter, outbound)

    assert error.kind is ErrorKind.TRANSIENT
    assert error.code == "unreachable"


def test_an_unresolvable_host_is_transient(clicksend_adapter, outbound, settings):
    settings.CLICKSEND_API_BASE_URL = "http://rest.nextal-test.invalid"

    error = send_error(clicksend_adapter, outbound)

    assert error.kind is ErrorKind.TRANSIENT
    assert "host name could not be resolved" in error.message


@pytest.mark.parametrize(
    "answer",
    [
        None,  # not JSON at all
        {"http_code": 200, "response_code": "SUCCESS", "data": None},
        {"http_code": 200, "data": {"messages": []}},
        {"http_code": 200, "data": {"messages": [{"status": "SUCCESS", "message_id": ""}]}},
        {"http_code": 200, "data": {"messages": ["SUCCESS"]}},
    ],
)
def test_an_accepted_send_with_an_unusable_answer_is_ambiguous(
    clicksend_adapter, outbound, fake_provider, answer
):
    if answer is None:
        fake_provider.queue_unparseable("clicksend.send")
    else:
        fake_provider.queue("clicksend.send", json=answer)

    error = send_error(clicksend_adapter, outbound)

    assert error.kind is ErrorKind.AMBIGUOUS
    assert error.code == "unreadable_response"
    # What the recruiter reads: the provider has the request, so it may have gone out.
    assert error.message.startswith("ClickSend accepted the request but its answer ")
    assert error.message.endswith("; the message may have been sent.")


def test_it_refuses_to_call_clicksend_without_an_api_key(fake_provider, outbound):
    provider = ClickSendProvider(ProviderCredentials(CLICKSEND_USERNAME, ""))

    error = send_error(provider, outbound)

    assert (error.kind, error.code, error.message) == (
        ErrorKind.PERMANENT,
        "credentials",
        "ClickSend's API Key is not set or could not be decrypted; enter it again.",
    )
    assert fake_provider.requests == []


def test_a_sender_id_cannot_text_north_american_numbers(fake_provider, outbound):
    """US and Canadian carriers only take texts from a dedicated number: refused here, before
    any call (ClickSend would accept and the text never arrive)."""
    provider = ClickSendProvider(
        ProviderCredentials(CLICKSEND_USERNAME, CLICKSEND_API_KEY, alpha_sender="Nextal")
    )

    error = send_error(provider, dataclasses.replace(outbound, to="+14165550123"))

    assert (error.kind, error.code, error.message) == (
        ErrorKind.PERMANENT,
        "alpha_sender_region",
        "ClickSend sends from the sender ID “Nextal”, and US and Canadian numbers can only be "
        "texted from a dedicated number.",
    )
    assert fake_provider.requests == []


RATE_LIMITED = "ClickSend is rate limiting requests"
BAD_CREDENTIALS = "ClickSend rejected the credentials"


@pytest.mark.parametrize(
    ("status", "envelope", "kind", "code", "message"),
    [
        (
            429,
            "TOO_MANY_REQUESTS",
            "transient",
            "TOO_MANY_REQUESTS",
            f"{RATE_LIMITED} (ClickSend TOO_MANY_REQUESTS)",
        ),
        (429, None, "transient", "429", f"{RATE_LIMITED} (ClickSend 429)"),
        (403, "FORBIDDEN", "permanent", "FORBIDDEN", f"{BAD_CREDENTIALS} (ClickSend FORBIDDEN)"),
        (401, None, "permanent", "401", f"{BAD_CREDENTIALS} (ClickSend 401)"),
        (
            503,
            "SERVICE_UNAVAILABLE",
            "ambiguous",
            "503",
            "ClickSend failed with HTTP 503; the message may have been sent.",
        ),
        (
            400,
            "INSUFFICIENT_CREDIT",
            "permanent",
            "INSUFFICIENT_CREDIT",
            "The ClickSend account has run out of credit (ClickSend INSUFFICIENT_CREDIT)",
        ),
        (
            400,
            "THROTTLED",
            "transient",
            "THROTTLED",
            "ClickSend is rate limiting messages (ClickSend THROTTLED)",
        ),
        (400, None, "permanent", "400", "ClickSend rejected the message (ClickSend 400)"),
    ],
)
def test_each_error_answer_reads_as_its_kind_code_and_reason(
    clicksend_adapter, outbound, fake_provider, status, envelope, kind, code, message
):
    """Every branch of ClickSend's error answers, with and without its JSON envelope: the code
    is ClickSend's own when it gives one, else the HTTP status."""
    if envelope is None:
        fake_provider.queue("clicksend.send", status=status, body=b"<html>error</html>")
    else:
        fake_provider.queue(
            "clicksend.send",
            status=status,
            json={"http_code": status, "response_code": envelope, "data": None},
        )

    error = send_error(clicksend_adapter, outbound)

    assert (error.kind.value, str(error.code), error.message) == (kind, code, message)
    assert error.retry_after is None  # no Retry-After given


def test_a_sender_id_is_what_the_message_comes_from(fake_provider, outbound):
    provider = ClickSendProvider(
        ProviderCredentials(CLICKSEND_USERNAME, CLICKSEND_API_KEY, SENDER, alpha_sender="Nextal")
    )

    provider.send(outbound)  # an Australian number: a sender ID can text it

    assert fake_provider.requests[0].json["messages"][0]["from"] == "Nextal"


@pytest.mark.parametrize("status", [300, 301])
def test_a_redirect_is_a_refusal_not_an_unreadable_acceptance(
    clicksend_adapter, outbound, fake_provider, status
):
    """A redirect (a proxy, a wrong base URL) is not followed, and not read as an answer."""
    fake_provider.queue("clicksend.send", status=status, body=b"<html>Moved</html>")

    error = send_error(clicksend_adapter, outbound)

    assert (error.kind, error.code) == (ErrorKind.PERMANENT, str(status))
    assert error.message == f"ClickSend rejected the message (ClickSend {status})"


def test_a_failed_send_closes_its_kept_connections(clicksend_adapter, outbound, fake_provider):
    """After a failure the thread's pool manager is cleared (its sockets closed), not only
    forgotten."""
    import urllib3

    cleared = []
    real_clear = urllib3.PoolManager.clear

    def clear(pool_manager):
        cleared.append(pool_manager)
        real_clear(pool_manager)

    fake_provider.queue("clicksend.send", fault="drop")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(urllib3.PoolManager, "clear", clear)
        send_error(clicksend_adapter, outbound)

    [pool_manager] = cleared
    assert not pool_manager.pools
