"""The send task against the fake provider server: claim before send, every outcome, faults."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from candidates.models import TimelineEvent
from integrations.models import Integration
from sms.eligibility import SMS_TURNED_OFF
from sms.models import Message, MessageStatus, OptOut
from sms.outbox.queueing import SendRefused, queue_message
from sms.outbox.sending import MAX_SEND_ATTEMPTS, OUTCOME_UNKNOWN
from sms.outbox.sweeper import sweep_outbox
from sms.tasks import send_message
from tests.helpers.providers import CANDIDATE_PHONE, CLICKSEND_FROM, TWILIO_FROM, configure


@pytest.fixture
def queued(candidate, recruiter, django_capture_on_commit_callbacks):
    """Queue a message for the candidate without running its task: `queued("Hello")`."""

    def _queue(body="Hello Ada"):
        with django_capture_on_commit_callbacks(execute=False):
            return queue_message(candidate, body, sent_by=recruiter)

    return _queue


def test_it_sends_through_twilio_with_a_status_callback(active_twilio, queued, fake_provider):
    message = queued("Hello Ada")
    assert send_message(message.pk) == MessageStatus.SENT

    (request,) = fake_provider.requests_for("twilio.send")
    assert request.field("To") == CANDIDATE_PHONE
    assert request.field("From") == TWILIO_FROM
    assert request.field("Body") == "Hello Ada"
    callback = urlsplit(request.field("StatusCallback"))
    assert (callback.scheme, callback.netloc, callback.path) == (
        "https",
        "nextal.example.com",
        "/webhooks/twilio/status/",
    )
    assert parse_qs(callback.query) == {"message": [str(message.pk)]}

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.provider == "twilio"
    assert message.provider_message_id.startswith("SM")
    assert (message.from_number, message.to_number) == (TWILIO_FROM, CANDIDATE_PHONE)
    assert message.segments == 1
    assert message.attempts == 1
    assert message.sent_at is not None
    assert message.error_message == ""


def test_it_sends_through_clicksend_with_our_reference(active_clicksend, queued, fake_provider):
    message = queued("Hello Ada")
    send_message(message.pk)
    (request,) = fake_provider.requests_for("clicksend.send")
    (sent,) = request.json["messages"]
    assert sent["to"] == CANDIDATE_PHONE
    assert sent["custom_string"] == str(message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.provider == "clicksend"
    assert message.from_number == CLICKSEND_FROM
    assert len(message.provider_message_id) == 36


def test_a_task_delivered_twice_sends_once(active_twilio, queued, fake_provider):
    message = queued()
    assert send_message(message.pk) == MessageStatus.SENT
    assert send_message(message.pk) == "skipped"
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_a_task_for_a_message_another_worker_claimed_does_nothing(
    active_twilio, queued, fake_provider
):
    message = queued()
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENDING)
    assert send_message(message.pk) == "skipped"
    assert fake_provider.requests_for("twilio.send") == []


def test_a_message_not_yet_due_is_not_sent_early(active_twilio, queued, fake_provider):
    message = queued()
    Message.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert send_message(message.pk) == "skipped"
    assert fake_provider.requests_for("twilio.send") == []


def test_a_permanent_error_fails_with_code_and_reason_and_is_not_retried(
    active_twilio, queued, fake_provider
):
    fake_provider.queue_twilio_error(21211)
    message = queued()
    assert send_message(message.pk) == MessageStatus.FAILED
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.error_code == "21211"
    assert "not a valid phone number" in message.error_message
    assert sweep_outbox().dispatched == 0
    assert len(fake_provider.requests_for("twilio.send")) == 1


def test_21610_fails_and_records_the_opt_out(
    active_twilio, queued, candidate, recruiter, fake_provider
):
    fake_provider.queue_twilio_error(21610)
    message = queued()
    send_message(message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.error_code == "21610"
    opt_out = OptOut.objects.get(phone_number=CANDIDATE_PHONE)
    assert (opt_out.opted_out, opt_out.source, opt_out.provider) == (True, "provider", "twilio")
    assert opt_out.detail == "Twilio error 21610"
    assert TimelineEvent.objects.filter(candidate=candidate, kind="opted_out").count() == 1
    with pytest.raises(SendRefused, match="opted out"):
        queue_message(candidate, "Again?", sent_by=recruiter)


def test_a_rate_limit_goes_back_to_the_outbox_with_backoff(active_twilio, queued, fake_provider):
    fake_provider.queue_twilio_error(20429, status=429, retry_after=7)
    message = queued()
    before = timezone.now()
    assert send_message(message.pk) == MessageStatus.QUEUED
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 1
    assert message.enqueued_at is None
    # First retry: 15–30 s (half fixed, half jitter), never sooner than Retry-After.
    wait = (message.next_attempt_at - before).total_seconds()
    assert 14.9 <= wait <= 31
    assert "Retrying automatically" in message.error_message
    # Not due yet: neither a redelivered task nor the sweeper sends it early.
    assert send_message(message.pk) == "skipped"
    assert sweep_outbox().dispatched == 0
    # Once due, the sweeper dispatches it and it goes out.
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert sweep_outbox().dispatched == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1


def test_backoff_grows_and_respects_retry_after(active_twilio, queued, fake_provider):
    fake_provider.queue_twilio_error(20429, status=429, retry_after=600)
    message = queued()
    Message.objects.filter(pk=message.pk).update(attempts=3)
    before = timezone.now()
    send_message(message.pk)
    message.refresh_from_db()
    assert 599 <= (message.next_attempt_at - before).total_seconds() <= 601


def test_transient_errors_give_up_after_the_attempt_limit(active_twilio, queued, fake_provider):
    fake_provider.queue_twilio_error(20429, status=429)
    message = queued()
    Message.objects.filter(pk=message.pk).update(attempts=MAX_SEND_ATTEMPTS - 1)
    assert send_message(message.pk) == MessageStatus.FAILED
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == MAX_SEND_ATTEMPTS
    assert message.error_message.endswith(f"Gave up after {MAX_SEND_ATTEMPTS} attempts.")


def test_a_refused_connection_is_retried_later(active_twilio, queued, settings, closed_port_url):
    settings.TWILIO_API_BASE_URL = closed_port_url
    message = queued()
    assert send_message(message.pk) == MessageStatus.QUEUED
    message.refresh_from_db()
    assert message.next_attempt_at > timezone.now()
    assert "nothing was sent" in message.error_message


@pytest.mark.parametrize(
    "script",
    [
        lambda fake: fake.queue("twilio.send", status=500, json={"message": "oops"}),
        lambda fake: fake.queue_unparseable("twilio.send"),
        lambda fake: fake.queue("twilio.send", status=201, delay=2),
    ],
    ids=["5xx", "unparseable", "read-timeout"],
)
def test_an_ambiguous_outcome_is_unknown_and_never_resent(
    active_twilio, queued, fake_provider, settings, script
):
    settings.SMS_PROVIDER_READ_TIMEOUT = 0.5
    script(fake_provider)
    message = queued()
    assert send_message(message.pk) == MessageStatus.UNKNOWN
    message.refresh_from_db()
    assert message.status == MessageStatus.UNKNOWN
    assert message.error_message.startswith(OUTCOME_UNKNOWN)
    later = timezone.now() + timedelta(hours=1)
    assert sweep_outbox(now=later).dispatched == 0
    assert send_message(message.pk) == "skipped"
    assert len(fake_provider.requests_for("twilio.send")) == 1


def test_clicksend_loose_types_are_recorded_as_sent_not_resent(
    active_clicksend, queued, fake_provider
):
    fake_provider.queue_clicksend_loose_types()
    message = queued()
    assert send_message(message.pk) == MessageStatus.SENT
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.provider_message_id
    assert message.raw["data"]["messages"][0]["message_price"] == 0.07
    sweep_outbox(now=timezone.now() + timedelta(hours=1))
    assert send_message(message.pk) == "skipped"
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1


def test_provider_turned_off_while_messages_wait_fails_them_with_the_reason(
    active_twilio, queued, fake_provider
):
    waiting = [queued(f"Message {n}") for n in range(3)]
    Integration.objects.filter(pk=active_twilio.pk).update(is_active=False)
    for message in waiting:
        assert send_message(message.pk) == MessageStatus.FAILED
    assert {m.status for m in Message.objects.all()} == {MessageStatus.FAILED}
    assert {m.error_message for m in Message.objects.all()} == {SMS_TURNED_OFF}
    assert fake_provider.stats()["total_requests"] == 0


def test_provider_switched_while_messages_wait_sends_through_the_new_one(
    active_twilio, queued, fake_provider
):
    waiting = [queued(f"Message {n}") for n in range(2)]
    configure("clicksend")
    for message in waiting:
        send_message(message.pk)
    assert fake_provider.requests_for("twilio.send") == []
    assert len(fake_provider.requests_for("clicksend.send")) == 2
    assert set(Message.objects.values_list("provider", "status")) == {("clicksend", "sent")}


def test_an_undecryptable_secret_at_send_time_fails_readably(active_twilio, queued, settings):
    message = queued()
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    assert send_message(message.pk) == MessageStatus.FAILED
    message.refresh_from_db()
    assert message.error_message.startswith("SMS is turned off: the stored Twilio credentials")


def test_a_number_that_opted_out_while_waiting_is_not_texted(active_twilio, queued, fake_provider):
    message = queued()
    OptOut.objects.create(
        phone_number=CANDIDATE_PHONE,
        source=OptOut.Source.KEYWORD,
        detail="STOP",
        changed_at=timezone.now(),
    )
    assert send_message(message.pk) == MessageStatus.FAILED
    message.refresh_from_db()
    assert message.error_message.startswith("Not sent: Ada Lovelace opted out of SMS")
    assert fake_provider.stats()["total_requests"] == 0
