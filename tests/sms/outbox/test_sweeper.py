"""The outbox sweeper: lost tasks, due schedules and retries, stuck sends; broker outages."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from nextal.celery import app
from sms.models import Message, MessageStatus
from sms.outbox.publishing import enqueue_sends
from sms.outbox.queueing import queue_message
from sms.outbox.sending import OUTCOME_UNKNOWN
from sms.outbox.sweeper import LOST_TASK_AFTER, SENDING_DEADLINE, sweep_outbox
from tests.helpers.broker import publishing_to
from tests.helpers.providers import CANDIDATE_PHONE


@pytest.fixture
def queued(candidate, recruiter, django_capture_on_commit_callbacks):
    def _queue(body="Hello Ada", **kwargs):
        with django_capture_on_commit_callbacks(execute=False):
            return queue_message(candidate, body, sent_by=recruiter, **kwargs)

    return _queue


def _set(message, **fields):
    Message.objects.filter(pk=message.pk).update(**fields)


def test_it_is_scheduled_every_30_seconds_by_beat():
    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["sms.sweep_outbox"]
    assert entry["task"] == "sms.sweep_outbox"
    assert entry["schedule"] == 30.0
    assert "sms.sweep_outbox" in app.tasks


def test_it_republishes_a_message_whose_task_was_lost(active_twilio, queued, fake_provider):
    message = queued()
    _set(message, enqueued_at=timezone.now() - LOST_TASK_AFTER - timedelta(seconds=1))
    result = sweep_outbox()
    assert (result.dispatched, result.published) == (1, 1)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1


def test_it_leaves_a_recently_published_message_to_its_task(active_twilio, queued, fake_provider):
    queued()
    assert sweep_outbox().dispatched == 0
    assert fake_provider.stats()["total_requests"] == 0


def test_it_publishes_at_once_a_message_whose_publishing_failed(
    active_twilio, queued, fake_provider
):
    message = queued()
    _set(message, enqueued_at=None)
    assert sweep_outbox().dispatched == 1
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1


def test_it_dispatches_a_scheduled_message_when_its_time_has_come(
    active_twilio, queued, fake_provider
):
    message = queued(scheduled_for=timezone.now() + timedelta(minutes=10))
    assert sweep_outbox().dispatched == 0
    _set(message, next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert sweep_outbox().dispatched == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.scheduled_for is not None


def test_it_moves_a_message_stuck_in_sending_to_outcome_unknown(
    active_twilio, queued, fake_provider
):
    stuck, recent = queued("stuck"), queued("recent")
    now = timezone.now()
    _set(stuck, status=MessageStatus.SENDING, claimed_at=now - SENDING_DEADLINE - timedelta(1))
    _set(recent, status=MessageStatus.SENDING, claimed_at=now - timedelta(seconds=5))
    changed_before = stuck.thread.changed_at
    assert sweep_outbox().marked_unknown == 1
    stuck.refresh_from_db()
    recent.refresh_from_db()
    assert stuck.status == MessageStatus.UNKNOWN
    assert stuck.error_message.startswith(OUTCOME_UNKNOWN)
    assert recent.status == MessageStatus.SENDING
    stuck.thread.refresh_from_db()
    assert stuck.thread.changed_at > changed_before
    assert fake_provider.stats()["total_requests"] == 0


def test_the_deadline_is_longer_than_the_task_time_limit():
    assert SENDING_DEADLINE.total_seconds() > app.conf.task_time_limit


def test_the_management_command_sweeps_once(active_twilio, queued, fake_provider, capsys):
    message = queued()
    _set(message, enqueued_at=None)
    call_command("sweep_sms")
    out = capsys.readouterr().out
    assert "1 dispatched (1 published), 0 marked outcome unknown, " in out
    assert "0 webhook event(s) processed (0 failed)" in out
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1


def test_broker_down_keeps_messages_queued_and_stops_at_the_first_failure(
    active_twilio, queued, redis_down, caplog
):
    messages = [queued(f"Message {n}") for n in range(3)]
    with publishing_to(redis_down):
        published = enqueue_sends([m.pk for m in messages])
    assert published == 0
    assert set(Message.objects.values_list("status", "enqueued_at")) == {("queued", None)}
    assert "stay queued for the sweeper" in caplog.text
    # All three reported at the first failure: publishing did not wait on each message.
    assert "Could not publish 3 SMS send task(s)" in caplog.text
    assert caplog.text.count("Could not publish") == 1


def test_the_recruiters_request_succeeds_while_the_broker_is_down(
    active_twilio, candidate, recruiter_client, redis_down, django_capture_on_commit_callbacks
):
    url = reverse("sms:send_to_candidate", args=[candidate.pk])
    with publishing_to(redis_down), django_capture_on_commit_callbacks(execute=True):
        response = recruiter_client.post(url, {"body": "Are you free on Monday?"})
    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.status, message.enqueued_at) == (MessageStatus.QUEUED, None)
    # Once the broker is back (in-process here), the sweeper sends it.
    assert sweep_outbox().published == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_a_sweep_with_nothing_to_do_reports_nothing_and_logs_nothing(db, caplog):
    with caplog.at_level("INFO", logger="sms.outbox.sweeper"):
        result = sweep_outbox()
    assert (result.dispatched, result.published, result.marked_unknown) == (0, 0, 0)
    assert "SMS sweep" not in caplog.text


def test_it_marks_what_it_publishes_and_leaves_a_message_in_flight_alone(
    active_twilio, queued, fake_provider
):
    now = timezone.now()
    lost, in_flight = queued("lost"), queued("in flight")
    _set(lost, enqueued_at=now - LOST_TASK_AFTER - timedelta(seconds=1))
    published_at = now - timedelta(seconds=5)
    _set(in_flight, enqueued_at=published_at)

    result = sweep_outbox(now=now)

    assert (result.dispatched, result.published) == (1, 1)
    lost.refresh_from_db()
    in_flight.refresh_from_db()
    assert lost.enqueued_at == now
    assert in_flight.enqueued_at == published_at


def test_a_retry_waiting_for_its_time_is_not_stuck_even_though_it_was_claimed_long_ago(
    active_twilio, queued, fake_provider, caplog
):
    now = timezone.now()
    waiting, stuck = queued("waiting"), queued("stuck")
    long_ago = now - SENDING_DEADLINE - timedelta(minutes=1)
    _set(waiting, claimed_at=long_ago, next_attempt_at=now + timedelta(minutes=2))
    _set(stuck, status=MessageStatus.SENDING, claimed_at=long_ago)

    with caplog.at_level("INFO", logger="sms.outbox.sweeper"):
        result = sweep_outbox(now=now)

    assert (result.dispatched, result.marked_unknown) == (0, 1)
    waiting.refresh_from_db()
    stuck.refresh_from_db()
    assert waiting.status == MessageStatus.QUEUED
    assert (stuck.status, stuck.error_code) == (MessageStatus.UNKNOWN, "no_outcome")
    assert stuck.error_message == f"{OUTCOME_UNKNOWN} (the sending task never reported back)"
    assert "SMS sweep: 0 dispatched (0 published), 1 marked outcome unknown" in caplog.messages
