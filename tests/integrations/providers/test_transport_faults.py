"""A provider that misbehaves at the byte level: each failure is classified by *when* it
happened, as the adapters promise. Before the connection is up nothing can have been sent
(transient: retried); after it the provider may have taken the message (ambiguous: never
resent). The fake counts what it accepted, so each case also shows why its class is right."""

import dataclasses

import pytest

from integrations.providers.base import ErrorKind, ProviderCredentials, ProviderError
from integrations.providers.clicksend import ClickSendProvider
from integrations.providers.twilio import TwilioProvider
from tests.fakes.provider_server import (
    CLICKSEND_API_KEY,
    CLICKSEND_USERNAME,
    TWILIO_SID,
    TWILIO_TOKEN,
)
from tests.integrations.providers.samples import RECIPIENT, SENDER, WEBHOOK_TOKEN

PROVIDERS = ["twilio", "clicksend"]


def adapter(kind: str):
    if kind == "twilio":
        return TwilioProvider(ProviderCredentials(TWILIO_SID, TWILIO_TOKEN, SENDER))
    return ClickSendProvider(
        ProviderCredentials(CLICKSEND_USERNAME, CLICKSEND_API_KEY, SENDER, WEBHOOK_TOKEN)
    )


def send_error(kind: str, outbound) -> ProviderError:
    with pytest.raises(ProviderError) as raised:
        adapter(kind).send(outbound)
    return raised.value


@pytest.mark.parametrize("kind", PROVIDERS)
@pytest.mark.parametrize("fault", ["drop", "half_body"])
def test_a_connection_broken_after_the_request_is_ambiguous(fake_provider, outbound, kind, fault):
    fake_provider.queue(f"{kind}.send", fault=fault)

    error = send_error(kind, outbound)

    assert error.kind is ErrorKind.AMBIGUOUS, error.message
    assert error.code == "connection_lost"
    assert "may have been sent" in error.message
    assert adapter(kind).display_name in error.message
    assert fake_provider.sends_to(RECIPIENT) == 1  # which is why it must not be retried


@pytest.mark.parametrize("kind", PROVIDERS)
def test_no_answer_within_the_read_timeout_is_ambiguous(fake_provider, outbound, kind, settings):
    settings.SMS_PROVIDER_READ_TIMEOUT = 0.5
    fake_provider.queue(f"{kind}.send", delay=30)

    error = send_error(kind, outbound)

    assert (error.kind, error.code) == (ErrorKind.AMBIGUOUS, "read_timeout")
    assert fake_provider.sends_to(RECIPIENT) == 1


@pytest.mark.parametrize("kind", PROVIDERS)
def test_an_mms_also_gives_up_at_the_read_timeout(fake_provider, outbound, kind, settings):
    """ClickSend's MMS goes through another API call than its SMS: it has the timeout too."""
    settings.SMS_PROVIDER_READ_TIMEOUT = 0.5
    route = "clicksend.mms_send" if kind == "clicksend" else "twilio.send"
    fake_provider.queue(route, delay=30)
    mms = dataclasses.replace(outbound, media_urls=("https://nextal.example/media/sms/a.png",))

    error = send_error(kind, mms)

    assert (error.kind, error.code) == (ErrorKind.AMBIGUOUS, "read_timeout")
    assert len(fake_provider.requests_for(route)) == 1


@pytest.mark.parametrize("kind", PROVIDERS)
def test_a_refused_connection_is_transient(closed_port_url, settings, outbound, kind):
    settings.TWILIO_API_BASE_URL = settings.CLICKSEND_API_BASE_URL = closed_port_url

    error = send_error(kind, outbound)

    assert (error.kind, error.code) == (ErrorKind.TRANSIENT, "unreachable")
    assert "the connection was refused" in error.message
    assert "nothing was sent" in error.message


@pytest.mark.parametrize("kind", PROVIDERS)
def test_it_sends_over_tls_to_a_provider_it_trusts(fake_provider_tls, outbound, kind):
    result = adapter(kind).send(outbound)

    assert result.provider_message_id
    assert fake_provider_tls.sends_to(RECIPIENT) == 1


@pytest.mark.parametrize("kind", PROVIDERS)
def test_a_failed_tls_handshake_sent_nothing_and_is_transient(
    fake_provider_tls, settings, outbound, kind
):
    settings.SMS_PROVIDER_CA_BUNDLE = ""  # the system's store: the fake's CA is not in it

    error = send_error(kind, outbound)

    assert (error.kind, error.code) == (ErrorKind.TRANSIENT, "unreachable"), error.message
    assert "the secure connection failed" in error.message
    assert error.message.startswith(f"{adapter(kind).display_name} could not be reached")
    assert fake_provider_tls.requests == []  # not a byte of the request arrived


@pytest.mark.parametrize("kind", PROVIDERS)
def test_a_tls_failure_while_reading_the_answer_is_ambiguous(fake_provider_tls, outbound, kind):
    fake_provider_tls.queue(f"{kind}.send", fault="tls_garbage")

    error = send_error(kind, outbound)

    assert error.kind is ErrorKind.AMBIGUOUS, error.message
    assert "may have been sent" in error.message
    assert adapter(kind).display_name in error.message
    assert fake_provider_tls.sends_to(RECIPIENT) == 1


@pytest.mark.parametrize("kind", PROVIDERS)
def test_a_credential_check_over_tls_tells_a_handshake_failure(fake_provider_tls, settings, kind):
    assert adapter(kind).check_credentials().valid is True
    settings.SMS_PROVIDER_CA_BUNDLE = ""

    check = adapter(kind).check_credentials()

    assert check.valid is None
    assert "could not be reached (the secure connection failed)" in check.message


def test_outside_a_provider_call_a_request_may_have_been_sent():
    """The safe default: only a call that tracked its connection can say nothing left."""
    from integrations.providers.transport import provider_call, request_may_have_been_sent

    assert request_may_have_been_sent() is True
    with provider_call():
        assert request_may_have_been_sent() is False
    assert request_may_have_been_sent() is True


@pytest.mark.parametrize("kind", PROVIDERS)
def test_shorter_timeouts_after_a_kept_alive_send_take_effect(
    fake_provider, settings, outbound, kind
):
    adapter(kind).send(outbound)  # this thread now keeps a client and its connection
    settings.SMS_PROVIDER_READ_TIMEOUT = 0.3
    fake_provider.queue(f"{kind}.send", delay=3)

    error = send_error(kind, outbound)

    assert error.kind is ErrorKind.AMBIGUOUS, error.message  # the new read timeout applied
    assert "may have been sent" in error.message


@pytest.mark.parametrize("kind", PROVIDERS)
def test_a_changed_trust_store_after_a_kept_alive_send_takes_effect(
    fake_provider_tls, settings, outbound, kind
):
    adapter(kind).send(outbound)  # verified against the fake's CA, connection kept
    settings.SMS_PROVIDER_CA_BUNDLE = ""  # the system's store: the fake's CA is not in it

    error = send_error(kind, outbound)

    assert (error.kind, error.code) == (ErrorKind.TRANSIENT, "unreachable"), error.message
    assert fake_provider_tls.sends_to(RECIPIENT) == 1  # only the first one arrived
