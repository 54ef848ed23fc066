"""Queueing one message: refusals with readable reasons, the outbox row, enqueue after commit."""

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from candidates.models import TimelineEvent
from sms.eligibility import SMS_TURNED_OFF, sending_check
from sms.models import Message, MessageStatus, OptOut, Thread
from sms.outbox.queueing import SendRefused, queue_message
from tests.factories import ApplicationFactory, CandidateFactory, JobFactory
from tests.helpers.providers import CANDIDATE_PHONE, configure


def test_it_saves_a_queued_message_and_sends_it_only_after_commit(
    active_twilio, candidate, recruiter, fake_provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = queue_message(candidate, "  Hello Ada  ", sent_by=recruiter)
        # Saved and queued, nothing published or sent before the commit.
        assert Message.objects.get(pk=message.pk).status == MessageStatus.QUEUED
        assert fake_provider.sends_to(CANDIDATE_PHONE) == 0
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.body == "Hello Ada"
    assert message.to_number == CANDIDATE_PHONE
    assert message.sent_by == recruiter
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1


def test_it_keeps_one_thread_per_candidate_and_updates_its_summary(
    active_twilio, candidate, recruiter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        first = queue_message(candidate, "First", sent_by=recruiter)
        before_second = timezone.now()
        second = queue_message(candidate, "Second   message\nwith lines", sent_by=recruiter)
    assert first.thread_id == second.thread_id
    thread = Thread.objects.get(candidate=candidate)
    assert thread.phone_number == CANDIDATE_PHONE
    assert thread.last_message_preview == "Second message with lines"
    assert thread.last_message_direction == "outbound"
    assert thread.changed_at >= before_second
    assert thread.last_message_at >= before_second


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("", "Write a message before sending."),
        ("   \n ", "Write a message before sending."),
        ("x" * 1601, "The message is 1,601 characters long; the limit is 1,600."),
        ("Hi {{firstname}}", "Unknown merge field {{firstname}}. Check the spelling."),
        ("About {{job_title}}", "Cannot fill in the message: {{job_title}} is empty"),
    ],
)
def test_it_refuses_a_bad_body_with_a_reason(active_twilio, candidate, recruiter, body, reason):
    with pytest.raises(SendRefused) as refused:
        queue_message(candidate, body, sent_by=recruiter)
    assert refused.value.reason.startswith(reason)
    assert not Message.objects.exists()


def test_a_body_of_exactly_1600_characters_is_accepted(active_twilio, candidate, recruiter):
    message = queue_message(candidate, "x" * 1600, sent_by=recruiter)
    assert message.segments == 11  # 1600 / 153, rounded up


def test_the_limit_applies_after_merge_fields_are_filled_in(active_twilio, recruiter, db):
    candidate = CandidateFactory(first_name="A" * 100)
    with pytest.raises(SendRefused, match="1,6"):
        queue_message(candidate, "{{first_name}}" + "x" * 1590, sent_by=recruiter)


def test_it_refuses_when_no_provider_is_active(candidate, recruiter, db):
    with pytest.raises(SendRefused) as refused:
        queue_message(candidate, "Hello", sent_by=recruiter)
    assert refused.value.reason == SMS_TURNED_OFF
    assert not Message.objects.exists()


def test_it_refuses_when_the_active_provider_has_no_usable_secret(
    active_twilio, candidate, recruiter, settings
):
    # The key that encrypted the stored Auth Token is gone (a botched key rotation).
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(SendRefused, match="can no longer be decrypted"):
        queue_message(candidate, "Hello", sent_by=recruiter)


@pytest.mark.parametrize(
    ("phone", "reason"),
    [
        ("", "Ada Lovelace has no phone number."),
        ("+1202555012345", "Ada Lovelace's phone number +1202555012345 is not a valid number."),
    ],
)
def test_it_refuses_a_candidate_without_a_valid_phone(active_twilio, recruiter, phone, reason):
    candidate = CandidateFactory(first_name="Ada", last_name="Lovelace", phone=phone)
    with pytest.raises(SendRefused) as refused:
        queue_message(candidate, "Hello", sent_by=recruiter)
    assert refused.value.reason == reason


def test_it_refuses_an_opted_out_number_and_says_when(active_twilio, candidate, recruiter):
    OptOut.objects.create(
        phone_number=CANDIDATE_PHONE,
        source=OptOut.Source.KEYWORD,
        detail="STOP",
        changed_at=timezone.now().replace(year=2026, month=3, day=4),
    )
    with pytest.raises(SendRefused) as refused:
        queue_message(candidate, "Hello", sent_by=recruiter)
    assert refused.value.reason == "Ada Lovelace opted out of SMS on March 4, 2026 (replied STOP)."


def test_an_opt_in_again_lifts_the_refusal(active_twilio, candidate, recruiter):
    OptOut.objects.create(
        phone_number=CANDIDATE_PHONE,
        opted_out=False,
        source=OptOut.Source.KEYWORD,
        changed_at=timezone.now(),
    )
    assert sending_check(candidate).reason is None
    queue_message(candidate, "Welcome back", sent_by=recruiter)


def test_sending_blocker_explains_each_case(candidate, recruiter, fake_provider):
    assert sending_check(candidate).reason == SMS_TURNED_OFF
    configure("clicksend")
    assert sending_check(candidate).reason is None
    candidate.phone = ""
    assert sending_check(candidate).reason == "Ada Lovelace has no phone number."


def test_merge_fields_are_rendered_for_the_candidate(
    active_twilio, candidate, recruiter, settings, django_capture_on_commit_callbacks
):
    settings.COMPANY_NAME = "Acme"
    ApplicationFactory(candidate=candidate, job=JobFactory(title="Old role"))
    ApplicationFactory(candidate=candidate, job=JobFactory(title="Data Engineer"))
    with django_capture_on_commit_callbacks(execute=False):
        message = queue_message(
            candidate,
            "Hi {{ first_name }}, {{recruiter_name}} from {{company_name}} about {{job_title}}",
            sent_by=recruiter,
        )
    assert message.body == "Hi Ada, Riley Recruiter from Acme about Data Engineer"


def test_a_scheduled_message_waits_for_the_sweeper(
    active_twilio, candidate, recruiter, fake_provider, django_capture_on_commit_callbacks
):
    later = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = queue_message(candidate, "Tomorrow", sent_by=recruiter, scheduled_for=later)
    assert callbacks == []
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.next_attempt_at == later
    assert message.enqueued_at is None
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 0


def test_a_sent_message_appears_on_the_timeline(
    active_twilio, candidate, recruiter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_message(candidate, "Hello Ada", sent_by=recruiter)
    event = TimelineEvent.objects.get(candidate=candidate, kind=TimelineEvent.Kind.SMS_SENT)
    assert event.actor == recruiter
    assert event.description == "SMS sent by Riley Recruiter: “Hello Ada”"
    assert event.data["message_id"] == message.pk
