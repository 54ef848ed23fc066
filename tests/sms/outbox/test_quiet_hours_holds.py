"""A message that would reach the candidate inside quiet hours is held, and goes out when the
window opens in their time: single, scheduled, bulk and retried sends; replies to someone who
just texted and test messages are not held. The clock is moved, never waited for."""

from datetime import UTC, datetime, timedelta

import pytest

from candidates.models import TimelineEvent
from sms.eligibility import Purpose, sending_check
from sms.models import Message, MessageStatus, SmsPolicy, Thread
from sms.outbox.actions import cancel_scheduled
from sms.outbox.bulk import plan_bulk, queue_bulk
from sms.outbox.queueing import queue_message
from sms.outbox.sending import send_queued_message
from sms.outbox.sweeper import sweep_outbox
from sms.policy import remember_policy
from sms.provider_test.services import queue_test_message
from tests.factories import CandidateFactory
from tests.helpers.messages import add_message

TORONTO_PHONE = "+14165550123"
NIGHT = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 22:00 in Toronto (Mon 30 Nov)
OPENS = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)  # 08:00 Tue in Toronto
DAY = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # 12:00 in Toronto

pytestmark = pytest.mark.usefixtures("quiet_hours")


@pytest.fixture
def ada(db):
    return CandidateFactory(first_name="Ada", last_name="Lovelace", phone=TORONTO_PHONE)


def test_a_message_at_night_in_the_candidates_zone_is_held_until_0800_there(
    ada, active_twilio, fake_provider, recruiter, travel, django_capture_on_commit_callbacks
):
    travel(NIGHT)
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_message(ada, "Hi {{first_name}}, quick question", sent_by=recruiter)
    message.refresh_from_db()
    assert (message.status, message.held_for, message.next_attempt_at) == (
        MessageStatus.QUEUED,
        "quiet_hours",
        OPENS,
    )
    assert message.recipient_zone == "America/Toronto"
    assert message.enqueued_at is None  # not published: nothing to send yet
    assert fake_provider.sends_to(TORONTO_PHONE) == 0
    held = TimelineEvent.objects.get(candidate=ada, kind="sms_held")
    assert held.description == (
        "Held for quiet hours — goes out 08:00 Tue (Ada's time), America/Toronto "
        "(from the phone number)"
    )
    assert held.data == {
        "message_id": message.pk,
        "until": OPENS.isoformat(),
        "zone": "America/Toronto",
    }

    assert sweep_outbox(now=OPENS - timedelta(minutes=1)).dispatched == 0
    travel(OPENS + timedelta(seconds=5))
    assert sweep_outbox().dispatched == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert fake_provider.sends_to(TORONTO_PHONE) == 1


def test_in_the_day_it_goes_at_once(
    ada, active_twilio, fake_provider, recruiter, travel, django_capture_on_commit_callbacks
):
    travel(DAY)
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_message(ada, "Hello", sent_by=recruiter)
    assert message.hold is None
    assert Message.objects.get(pk=message.pk).status == MessageStatus.SENT


def test_a_reply_to_a_candidate_who_texted_in_the_last_30_minutes_is_not_held(
    ada, active_twilio, fake_provider, recruiter, travel, django_capture_on_commit_callbacks
):
    travel(NIGHT)
    add_message(ada, direction="inbound", body="Are you still hiring?")
    travel(NIGHT + timedelta(minutes=29))
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_message(ada, "Yes, we are!", sent_by=recruiter).hold is None
    assert fake_provider.sends_to(TORONTO_PHONE) == 1
    travel(NIGHT + timedelta(minutes=31))
    assert queue_message(ada, "Talk tomorrow", sent_by=recruiter).hold is not None


def test_a_scheduled_message_that_would_arrive_at_night_waits_for_the_morning(
    ada, active_twilio, recruiter, travel
):
    travel(DAY)
    message = queue_message(ada, "Reminder", sent_by=recruiter, scheduled_for=NIGHT + timedelta(1))
    message.refresh_from_db()
    assert message.scheduled_for == NIGHT + timedelta(1)
    assert message.next_attempt_at == OPENS + timedelta(1)
    assert message.held_for == "quiet_hours"


def test_the_send_task_holds_a_message_that_reaches_the_provider_at_night(
    ada, active_twilio, fake_provider, recruiter, travel
):
    """A retry or a long queue can land in the night: the rules are asked again at send time."""
    travel(DAY)
    thread = Thread.objects.create(candidate=ada, phone_number=TORONTO_PHONE)
    message = Message.objects.create(
        thread=thread,
        direction="outbound",
        status="queued",
        body="Queued in the afternoon",
        to_number=TORONTO_PHONE,
        attempts=1,
        enqueued_at=DAY,
    )
    # Another worker's message, mid-send: holding ours must not touch it.
    bystander = add_message(ada, direction="outbound", status="sending", body="Someone else's")
    bystander_before = Message.objects.filter(pk=bystander.pk).values().get()
    travel(NIGHT + timedelta(1))
    assert send_queued_message(message.pk) == "held"
    message.refresh_from_db()
    assert (message.status, message.next_attempt_at, message.attempts) == (
        MessageStatus.QUEUED,
        OPENS + timedelta(1),
        1,  # holding is not an attempt
    )
    assert (message.held_for, message.recipient_zone, message.enqueued_at) == (
        "quiet_hours",
        "America/Toronto",
        None,  # the sweeper publishes it again when the window opens
    )
    assert message.updated_at >= NIGHT + timedelta(1)  # touched by the hold, not left at DAY
    assert Message.objects.filter(pk=bystander.pk).values().get() == bystander_before
    assert fake_provider.sends_to(TORONTO_PHONE) == 0
    held = TimelineEvent.objects.get(candidate=ada, kind="sms_held")
    assert held.description == (
        "Held for quiet hours — goes out 08:00 Wed (Ada's time): it would have arrived in quiet "
        "hours, America/Toronto (from the phone number)"
    )
    assert held.data == {"message_id": message.pk, "until": (OPENS + timedelta(1)).isoformat()}


def test_a_message_no_longer_sending_is_not_held_and_records_nothing(
    ada, active_twilio, recruiter, travel
):
    """Holding is conditional on the message still being ours to send: one a callback or a
    cancel moved on keeps its state, and the timeline says nothing about a hold."""
    from sms.outbox.sending import _hold

    travel(NIGHT)
    message = add_message(ada, direction="outbound", status="canceled", body="Never mind")
    before = Message.objects.filter(pk=message.pk).values().get()
    hold = sending_check(ada).hold
    assert hold is not None
    _hold(message, hold)
    assert Message.objects.filter(pk=message.pk).values().get()["status"] == before["status"]
    assert Message.objects.get(pk=message.pk).held_for == before["held_for"]
    assert not TimelineEvent.objects.filter(candidate=ada, kind="sms_held").exists()


def test_a_held_message_can_be_canceled_like_a_scheduled_one(ada, active_twilio, recruiter, travel):
    travel(NIGHT)
    message = queue_message(ada, "Late thought", sent_by=recruiter)
    canceled = cancel_scheduled(message, by=recruiter)
    assert canceled.status == MessageStatus.CANCELED
    travel(OPENS + timedelta(minutes=1))
    assert sweep_outbox().dispatched == 0


def test_the_profile_zone_wins_and_a_company_zone_covers_unknown_numbers(
    db, active_twilio, recruiter, travel
):
    travel(NIGHT)  # 22:00 in Toronto, 19:00 in Vancouver, 03:00 UTC
    in_vancouver = CandidateFactory(phone=TORONTO_PHONE, time_zone="America/Vancouver")
    assert sending_check(in_vancouver).hold is None
    personal = CandidateFactory(phone="+15005550006")  # +1 500: no single zone
    policy = SmsPolicy.objects.get(pk=1)
    policy.company_time_zone = "America/Los_Angeles"  # 19:00 there
    policy.save()
    remember_policy(policy)
    check = sending_check(personal)
    assert (check.zone.name, check.zone.source, check.hold) == (
        "America/Los_Angeles",
        "company",
        None,
    )
    policy.company_time_zone = "Europe/Paris"  # 04:00 there
    policy.save()
    remember_policy(policy)
    assert sending_check(personal).hold.zone.name == "Europe/Paris"


def test_test_messages_and_turned_off_quiet_hours_are_never_held(
    ada,
    active_twilio,
    fake_provider,
    administrator,
    travel,
    quiet_hours,
    django_capture_on_commit_callbacks,
):
    travel(NIGHT)
    with django_capture_on_commit_callbacks(execute=True):
        queue_test_message(TORONTO_PHONE, sent_by=administrator)
    assert fake_provider.sends_to(TORONTO_PHONE) == 1
    quiet_hours.quiet_hours_enabled = False
    quiet_hours.save()
    remember_policy(quiet_hours)
    assert sending_check(ada, purpose=Purpose.BULK).hold is None


def test_the_bulk_preview_counts_the_held_and_queue_bulk_holds_them(
    db, active_twilio, fake_provider, recruiter, travel, django_capture_on_commit_callbacks
):
    travel(NIGHT)  # 22:00 in Toronto, 19:00 in Los Angeles
    toronto = [CandidateFactory(phone=f"+1416555{n:04d}") for n in range(3)]
    los_angeles = CandidateFactory(first_name="Lee", phone="+13105550123")
    plan = plan_bulk([*toronto, los_angeles], "Hi {{first_name}}", sent_by=recruiter)
    assert plan.summary == "1 will be sent now, 3 held until 08:00 their time"
    assert plan.send_count == 4
    with django_capture_on_commit_callbacks(execute=True):
        bulk = queue_bulk([*toronto, los_angeles], "Hi {{first_name}}", sent_by=recruiter)
    held = Message.objects.filter(bulk_send=bulk, held_for="quiet_hours")
    assert held.count() == 3 and set(held.values_list("next_attempt_at", flat=True)) == {OPENS}
    assert fake_provider.sends_to("+13105550123") == 1
    assert sum(fake_provider.sends_to(c.phone) for c in toronto) == 0
    assert TimelineEvent.objects.filter(kind="sms_held", candidate__in=toronto).count() == 3
    travel(OPENS + timedelta(seconds=1))
    assert sweep_outbox().dispatched == 3
    assert sum(fake_provider.sends_to(c.phone) for c in toronto) == 3


def test_no_zone_is_looked_up_when_quiet_hours_cannot_apply(ada, active_twilio, quiet_hours):
    """A bulk send of thousands parses each number once: the zone is judged only when quiet
    hours apply (on, and for a purpose they cover)."""
    assert sending_check(ada, purpose=Purpose.BULK).zone.name == "America/Toronto"
    assert sending_check(ada, purpose=Purpose.AUTO_REPLY).zone is None
    quiet_hours.quiet_hours_enabled = False
    quiet_hours.save()
    remember_policy(quiet_hours)
    assert sending_check(ada, purpose=Purpose.BULK).zone is None
