"""The lean send path: four statements per message when warm (the claim, the load, and one
transaction of the outcome and its timeline entry), the sending integration kept in memory and
re-read when a setting changes, the thread following every status change by trigger."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from candidates.models import TimelineEvent
from integrations.models import Integration
from integrations.providers.twilio import TwilioProvider
from sms.models import Message, MessageStatus, Thread
from sms.outbox.claiming import claim_for_sending
from sms.outbox.queueing import queue_message
from sms.tasks import send_message
from tests.helpers.providers import TWILIO_FROM

# The budget counts every statement Django sends, savepoints included. On PostgreSQL a warm
# send is two round trips: the claim with the load (one statement), and the outcome with its
# timeline entry as one statement (its own transaction). On SQLite the claim and the load are
# two statements and the outcome a transaction of two (`atomic(savepoint=False)`: inside the
# test's transaction it adds no savepoint; outside one it adds BEGIN and COMMIT). In a worker
# the task is preceded by the kept connection's check (`SELECT 1`, nextal/celery.py; tested
# in tests/faults/test_worker_connections.py): three round trips in all on PostgreSQL.
WARM_SEND_STATEMENTS = 4
POSTGRES_WARM_SEND_STATEMENTS = 2


@pytest.fixture
def queued(candidate, recruiter, django_capture_on_commit_callbacks):
    def _queue(body="Hello Ada"):
        with django_capture_on_commit_callbacks(execute=False):
            return queue_message(candidate, body, sent_by=recruiter)

    return _queue


def test_a_warm_send_takes_at_most_four_statements(
    active_twilio, queued, fake_provider, django_assert_max_num_queries
):
    assert send_message(queued("First").pk) == MessageStatus.SENT  # warms the copy
    message = queued("Second")
    with django_assert_max_num_queries(WARM_SEND_STATEMENTS) as captured:
        assert send_message(message.pk) == MessageStatus.SENT
    assert not any("SAVEPOINT" in query["sql"] for query in captured.captured_queries)
    if connection.vendor == "postgresql":
        assert len(captured.captured_queries) == POSTGRES_WARM_SEND_STATEMENTS
    message.refresh_from_db()
    assert (message.status, message.provider) == ("sent", "twilio")
    assert message.from_number == TWILIO_FROM
    assert TimelineEvent.objects.filter(
        kind=TimelineEvent.Kind.SMS_SENT, data__message_id=message.pk
    ).exists()


def test_a_warm_send_loads_no_integration_row(active_twilio, queued, fake_provider):
    send_message(queued("First").pk)
    message = queued("Second")
    with CaptureQueriesContext(connection) as captured:
        send_message(message.pk)
    # The load query names the active row's id and version in subqueries; no query reads its
    # settings or secret.
    assert not any('"secret"' in query["sql"] for query in captured.captured_queries)
    assert len(fake_provider.requests_for("twilio.send")) == 2


def test_a_cold_send_reads_the_integration_once(active_twilio, queued, fake_provider):
    message = queued()
    with CaptureQueriesContext(connection) as captured:
        assert send_message(message.pk) == MessageStatus.SENT
    reads = [q["sql"] for q in captured.captured_queries if '"secret"' in q["sql"]]
    assert len(reads) == 1
    message.refresh_from_db()
    assert (message.provider, message.from_number) == ("twilio", TWILIO_FROM)


def test_a_changed_setting_is_read_again_by_the_next_send(active_twilio, queued, fake_provider):
    send_message(queued("First").pk)
    # Another process saves a new number: every change of the settings saves `updated_at`.
    Integration.objects.filter(pk=active_twilio.pk).update(
        phone_number="+15005550007", updated_at=timezone.now() + timedelta(seconds=1)
    )
    message = queued("Second")
    assert send_message(message.pk) == MessageStatus.SENT
    first, second = fake_provider.requests_for("twilio.send")
    assert (first.field("From"), second.field("From")) == (TWILIO_FROM, "+15005550007")
    message.refresh_from_db()
    assert message.from_number == "+15005550007"


def test_a_provider_saved_through_the_model_is_read_again(active_twilio, queued, fake_provider):
    send_message(queued("First").pk)
    active_twilio.refresh_from_db()
    active_twilio.phone_number = "+15005550008"
    active_twilio.save()
    send_message(queued("Second").pk)
    assert fake_provider.requests_for("twilio.send")[-1].field("From") == "+15005550008"


def test_every_status_change_moves_the_thread(active_twilio, queued, fake_provider):
    message = queued()
    thread = Thread.objects.get(pk=message.thread_id)
    before = thread.changed_at
    assert claim_for_sending(message.pk)
    claimed_at = Message.objects.get(pk=message.pk).updated_at
    thread.refresh_from_db()
    assert thread.changed_at == claimed_at > before
    # An update that leaves the status alone does not.
    Message.objects.filter(pk=message.pk).update(
        error_message="x", updated_at=claimed_at + timedelta(seconds=5)
    )
    thread.refresh_from_db()
    assert thread.changed_at == claimed_at


def sent_while_a_receipt_arrived(message, monkeypatch) -> None:
    """Send `message` while its delivery receipt is recorded during the provider call; the send
    writes its facts and the status stays delivered."""
    real_send = TwilioProvider.send

    def send_then_a_receipt_arrives(self, sms):
        result = real_send(self, sms)
        Message.objects.filter(pk=message.pk).update(status=MessageStatus.DELIVERED)
        return result

    monkeypatch.setattr(TwilioProvider, "send", send_then_a_receipt_arrives)
    assert send_message(message.pk) == MessageStatus.SENT
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert message.provider_message_id.startswith("SM")
    assert message.sent_at is not None


def test_the_outcome_keeps_a_status_a_callback_moved_on(
    active_twilio, queued, fake_provider, monkeypatch
):
    """A delivery receipt that raced the send: the facts are written, the status stays."""
    message = queued()
    sent_while_a_receipt_arrived(message, monkeypatch)
    assert TimelineEvent.objects.filter(data__message_id=message.pk).count() == 1


def unknown_senders_message(recruiter) -> Message:
    """A queued reply in the thread of a number that is no candidate's (no timeline)."""
    thread = Thread.objects.create(phone_number="+12025550188")
    return Message.objects.create(
        thread=thread,
        direction="outbound",
        status=MessageStatus.QUEUED,
        body="Who is this?",
        to_number="+12025550188",
        sent_by=recruiter,
    )


def test_a_send_to_an_unknown_senders_thread_records_no_timeline(
    active_twilio, fake_provider, recruiter
):
    message = unknown_senders_message(recruiter)
    assert send_message(message.pk) == MessageStatus.SENT
    message.refresh_from_db()
    assert (message.status, message.provider) == (MessageStatus.SENT, "twilio")
    assert not TimelineEvent.objects.filter(data__message_id=message.pk).exists()


def test_a_send_refused_before_any_provider_call_names_no_provider(
    active_twilio, queued, fake_provider
):
    send_message(queued("First").pk)  # warm: the claim now expects Twilio
    message = queued("Second")
    Integration.objects.filter(pk=active_twilio.pk).update(is_active=False)
    assert send_message(message.pk) == MessageStatus.FAILED
    message.refresh_from_db()
    assert (message.provider, message.from_number) == ("", "")
    assert len(fake_provider.requests_for("twilio.send")) == 1


def test_a_send_without_a_timeline_entry_keeps_a_status_a_callback_moved_on(
    active_twilio, fake_provider, recruiter, monkeypatch
):
    """The outcome without a timeline entry (an unknown sender's thread) is the plain update on
    every database: it too moves the status forward only, and writes the send's facts."""
    message = unknown_senders_message(recruiter)
    sent_while_a_receipt_arrived(message, monkeypatch)
