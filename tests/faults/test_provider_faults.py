"""Provider faults through a real worker on Redis, for Twilio and ClickSend: each ends in the
state the SMS pipeline specifies.

- 429 (with Retry-After) and a refused connection: nothing was sent, so the message goes back to
  the outbox (queued, `next_attempt_at` in the future, attempts counted), is sent by a later
  sweep once the fault clears, and fails after MAX_SEND_ATTEMPTS.
- 500, a read timeout, an unparseable 2xx, a connection dropped after the request or half an
  answer, a TLS record that cannot be read where the answer should be: the provider may have
  sent it, so it is "outcome unknown" and never resent (the fake saw exactly one request).
- A TLS handshake that fails (an untrusted certificate): nothing was sent, so it is retried, and
  sent once when the certificate is trusted again.

tests/sms/outbox/test_sending.py covers the same classification for Twilio with in-process tasks
(and ClickSend's loosely typed 200 recorded as sent); here the task runs in a worker thread
consuming from Redis, the retries go through the real sweeper and broker, and ClickSend gets every
fault.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from nextal.celery import app
from sms.models import Message, MessageStatus
from sms.outbox.queueing import queue_message
from sms.outbox.sending import MAX_SEND_ATTEMPTS, OUTCOME_UNKNOWN
from sms.outbox.sweeper import sweep_outbox
from sms.tasks import send_message
from tests.factories import CandidateFactory
from tests.fakes.provider_server import closed_port_url
from tests.helpers.broker import reset_broker_pool, settle
from tests.helpers.polling import wait_until
from tests.helpers.providers import configure

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

PROVIDERS = ["twilio", "clicksend"]
SEND_ROUTE = {"twilio": "twilio.send", "clicksend": "clicksend.send"}
BASE_URL_SETTING = {"twilio": "TWILIO_API_BASE_URL", "clicksend": "CLICKSEND_API_BASE_URL"}


@pytest.fixture
def worker(celery_worker):
    """A real worker thread on REDIS_URL; this process publishes to the same Redis."""
    reset_broker_pool(app)
    yield celery_worker
    reset_broker_pool(app)


@pytest.fixture(params=PROVIDERS)
def provider(request, worker, fake_provider):
    configure(request.param)
    return request.param


@pytest.fixture
def recipient(db):
    return CandidateFactory(first_name="Ada", last_name="Lovelace", phone="+61411111111")


def script_rate_limit(fake, provider: str, retry_after: float = 1) -> None:
    if provider == "twilio":
        fake.queue_twilio_error(20429, status=429, retry_after=retry_after)
    else:
        fake.queue_clicksend_error(429, "TOO_MANY_REQUESTS", retry_after=retry_after)


def reload(message: Message) -> Message:
    message.refresh_from_db()
    return message


def wait_for_attempt(message: Message, attempts: int, status: str) -> Message:
    """Wait until the worker has made `attempts` attempts and left the message in `status`."""

    def done():
        reload(message)
        return message.attempts == attempts and message.status == status

    wait_until(done, timeout=20, interval=0.1, what=f"attempt {attempts} to end {status}")
    return message


def time_passes_until_due(message: Message) -> None:
    """The backoff (15 s and more) elapses: make the retry due now instead of waiting."""
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())


def assert_back_in_the_outbox(message: Message, attempts: int) -> None:
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == attempts
    assert message.next_attempt_at > timezone.now()
    assert message.enqueued_at is None
    assert message.error_message.endswith("Retrying automatically.")
    # Not due: the sweeper leaves it alone, and a stray task finds nothing to claim.
    assert sweep_outbox().dispatched == 0


def test_a_rate_limit_is_retried_by_the_sweeper_and_sent_once_when_it_clears(
    provider, fake_provider, recipient, recruiter
):
    script_rate_limit(fake_provider, provider, retry_after=1)
    script_rate_limit(fake_provider, provider, retry_after=1)
    queued_at = timezone.now()
    message = queue_message(recipient, "Interview on Monday?", sent_by=recruiter)

    wait_for_attempt(message, 1, MessageStatus.QUEUED)
    assert_back_in_the_outbox(message, attempts=1)
    assert (message.next_attempt_at - queued_at).total_seconds() >= 15  # backoff, ≥ Retry-After

    time_passes_until_due(message)
    assert sweep_outbox().published == 1
    wait_for_attempt(message, 2, MessageStatus.QUEUED)
    assert_back_in_the_outbox(message, attempts=2)

    time_passes_until_due(message)  # the rate limit has cleared
    assert sweep_outbox().published == 1
    wait_for_attempt(message, 3, MessageStatus.SENT)
    assert message.error_message == ""
    assert message.provider_message_id
    assert len(fake_provider.requests_for(SEND_ROUTE[provider])) == 3
    assert fake_provider.sends_by_reference() == {str(message.pk): 1}


def test_a_rate_limit_that_never_clears_fails_after_the_attempt_limit(
    provider, fake_provider, recipient, recruiter
):
    for _ in range(MAX_SEND_ATTEMPTS):
        script_rate_limit(fake_provider, provider)
    message = queue_message(recipient, "Interview on Monday?", sent_by=recruiter)

    for attempt in range(1, MAX_SEND_ATTEMPTS):
        wait_for_attempt(message, attempt, MessageStatus.QUEUED)
        time_passes_until_due(message)
        assert sweep_outbox().published == 1
    wait_for_attempt(message, MAX_SEND_ATTEMPTS, MessageStatus.FAILED)
    assert message.error_message.endswith(f"Gave up after {MAX_SEND_ATTEMPTS} attempts.")
    assert message.error_code in ("20429", "TOO_MANY_REQUESTS")
    assert sweep_outbox(now=timezone.now() + timedelta(hours=1)).dispatched == 0
    assert len(fake_provider.requests_for(SEND_ROUTE[provider])) == MAX_SEND_ATTEMPTS
    assert fake_provider.stats()["accepted_sends"] == 0


def test_a_refused_connection_is_retried_and_sent_once_when_the_provider_is_back(
    provider, fake_provider, recipient, recruiter, settings
):
    setting = BASE_URL_SETTING[provider]
    setattr(settings, setting, closed_port_url())
    message = queue_message(recipient, "Interview on Monday?", sent_by=recruiter)
    wait_for_attempt(message, 1, MessageStatus.QUEUED)
    assert_back_in_the_outbox(message, attempts=1)
    assert "nothing was sent" in message.error_message

    setattr(settings, setting, fake_provider.url)
    time_passes_until_due(message)
    assert sweep_outbox().published == 1
    wait_for_attempt(message, 2, MessageStatus.SENT)
    assert fake_provider.sends_by_reference() == {str(message.pk): 1}


AMBIGUOUS_FAULTS = {
    "500": lambda fake, route: fake.queue(route, status=500, json={"message": "Internal error"}),
    # Accepted (the fake counts it) but answered after the client's read timeout.
    "read-timeout": lambda fake, route: fake.queue(route, status=201, delay=2),
    # Accepted, with a body neither SDK can read (an HTML page from a proxy).
    "unparseable-2xx": lambda fake, route: fake.queue_unparseable(route),
    # Accepted, then the socket is closed without a byte of answer.
    "dropped-after-request": lambda fake, route: fake.queue(route, fault="drop"),
    # Accepted, then headers and half the body, then the socket is closed.
    "half-an-answer": lambda fake, route: fake.queue(route, fault="half_body"),
}


@pytest.mark.parametrize("fault", list(AMBIGUOUS_FAULTS))
def test_an_ambiguous_answer_is_outcome_unknown_and_never_resent(
    provider, fault, fake_provider, recipient, recruiter, settings
):
    settings.SMS_PROVIDER_READ_TIMEOUT = 0.5
    route = SEND_ROUTE[provider]
    AMBIGUOUS_FAULTS[fault](fake_provider, route)
    message = queue_message(recipient, "Interview on Monday?", sent_by=recruiter)

    wait_for_attempt(message, 1, MessageStatus.UNKNOWN)
    assert message.error_message.startswith(OUTCOME_UNKNOWN)
    assert message.next_attempt_at is None
    # Neither the sweeper (even an hour later) nor a redelivered task sends it again.
    assert sweep_outbox(now=timezone.now() + timedelta(hours=1)).dispatched == 0
    assert send_message(message.pk) == "skipped"
    assert reload(message).status == MessageStatus.UNKNOWN
    assert message.attempts == 1
    assert settle(app.conf.broker_url).dispatched == 0
    assert len(fake_provider.requests_for(route)) == 1
    assert fake_provider.sends_by_reference().get(str(message.pk), 0) <= 1


@pytest.fixture(params=PROVIDERS)
def provider_over_tls(request, worker, fake_provider_tls):
    configure(request.param)
    return request.param


def test_an_unreadable_tls_answer_is_outcome_unknown_and_never_resent(
    provider_over_tls, fake_provider_tls, recipient, recruiter
):
    route = SEND_ROUTE[provider_over_tls]
    fake_provider_tls.queue(route, fault="tls_garbage")
    message = queue_message(recipient, "Interview on Monday?", sent_by=recruiter)

    wait_for_attempt(message, 1, MessageStatus.UNKNOWN)
    assert message.error_message.startswith(OUTCOME_UNKNOWN)
    assert settle(app.conf.broker_url).dispatched == 0
    assert send_message(message.pk) == "skipped"
    assert fake_provider_tls.sends_by_reference() == {str(message.pk): 1}


def test_a_failed_tls_handshake_is_retried_and_sent_once_when_trusted_again(
    provider_over_tls, fake_provider_tls, recipient, recruiter, settings
):
    settings.SMS_PROVIDER_CA_BUNDLE = ""  # the provider's certificate is not trusted
    message = queue_message(recipient, "Interview on Monday?", sent_by=recruiter)
    wait_for_attempt(message, 1, MessageStatus.QUEUED)
    assert_back_in_the_outbox(message, attempts=1)
    assert "the secure connection failed" in message.error_message
    assert "nothing was sent" in message.error_message
    assert fake_provider_tls.requests == []

    settings.SMS_PROVIDER_CA_BUNDLE = fake_provider_tls.ca_bundle
    time_passes_until_due(message)
    assert sweep_outbox().published == 1
    wait_for_attempt(message, 2, MessageStatus.SENT)
    assert settle(app.conf.broker_url).dispatched == 0
    assert fake_provider_tls.sends_by_reference() == {str(message.pk): 1}
