"""Replying to an unknown sender's thread (`queue_number_reply`), called directly: the body
rules, no merge fields, the length once trimmed, a file on its own, scheduling (its rules are a
scheduled message's: quiet hours at the time it goes out, the reply window does not apply),
the provider's file rules, and a send task only for what goes out now."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from sms.models import HeldFor, Message, MessageStatus, SmsTemplate, Thread
from sms.outbox.queueing import SendRefused, queue_number_reply
from sms.text.rules import EMPTY_BODY, MAX_BODY_CHARS

NUMBER = "+14165550123"  # Toronto
TORONTO = ZoneInfo("America/Toronto")
NOON = datetime(2026, 3, 10, 12, 0, tzinfo=TORONTO)
NIGHT = datetime(2026, 3, 10, 23, 30, tzinfo=TORONTO)
PNG = b"\x89PNG\r\n\x1a\n" + b"png-bytes" * 20


@pytest.fixture
def thread(db):
    return Thread.objects.create(candidate=None, phone_number=NUMBER)


def photo(content_type="image/png"):
    upload = SimpleUploadedFile("site.png", PNG, content_type=content_type)
    upload.sniffed_type = content_type
    return upload


def refused(thread, body, recruiter, **options) -> SendRefused:
    """The refusal, having saved nothing."""
    before = Message.objects.count()
    with pytest.raises(SendRefused) as error:
        queue_number_reply(thread, body, sent_by=recruiter, **options)
    assert Message.objects.count() == before
    return error.value


@pytest.mark.parametrize("body", ["", "   "])
def test_an_empty_reply_is_refused_on_the_body(thread, recruiter, active_twilio, body):
    error = refused(thread, body, recruiter)
    assert (error.reason, error.field) == (EMPTY_BODY, "body")


def test_a_misspelt_merge_field_is_refused_on_the_body(thread, recruiter, active_twilio):
    error = refused(thread, "Hi {{frist_name}}", recruiter)
    assert error.reason == "Unknown merge field {{frist_name}}. Check the spelling."
    assert error.field == "body"


def test_merge_fields_need_a_candidate(thread, recruiter, active_twilio):
    error = refused(thread, "Hi {{first_name}}", recruiter)
    assert error.reason == (
        "Merge fields need a candidate: create or link one first, or write the text out."
    )
    assert error.field == "body"


def test_the_length_is_the_trimmed_texts(thread, recruiter, active_twilio):
    fits = "x" * MAX_BODY_CHARS
    message = queue_number_reply(thread, f"  {fits}   \n", sent_by=recruiter)
    assert message.body == fits

    error = refused(thread, "x" * (MAX_BODY_CHARS + 1), recruiter)
    assert error.reason == "The message is 1,601 characters long; the limit is 1,600."
    assert error.field == "body"


def test_a_file_may_go_without_words(thread, recruiter, active_twilio):
    message = queue_number_reply(thread, "", sent_by=recruiter, attachment=photo())
    assert message.body == ""
    assert message.attachments.get().content_type == "image/png"


def test_a_file_does_not_excuse_a_bad_body(thread, recruiter, active_twilio):
    error = refused(thread, "See {{frist_name}}", recruiter, attachment=photo())
    assert error.field == "body"
    assert error.reason.startswith("Unknown merge field {{frist_name}}")


def test_the_providers_file_rules_refuse_on_the_attachment(thread, recruiter, active_clicksend):
    error = refused(thread, "The site map", recruiter, attachment=photo())
    assert error.reason == "ClickSend sends only JPEG and GIF images by MMS; attach one of those."
    assert error.field == "attachment"


def test_an_opted_out_number_is_refused_above_the_form(thread, recruiter, active_twilio):
    from sms.models import OptOut

    OptOut.objects.create(phone_number=NUMBER, opted_out=True, changed_at=thread.created_at)
    error = refused(thread, "Still there?", recruiter)
    assert error.field is None
    assert "opted out" in error.reason


def test_a_reply_now_is_published_after_commit(
    thread, recruiter, active_twilio, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(NOON, tick=False),
        django_capture_on_commit_callbacks(execute=False) as published,
    ):
        message = queue_number_reply(thread, "Yes, it is open", sent_by=recruiter)
    assert len(published) == 1
    assert message.status == MessageStatus.QUEUED
    assert (message.enqueued_at, message.next_attempt_at) == (NOON, None)
    assert message.hold is None


def test_a_reply_scheduled_for_this_very_moment_goes_now(
    thread, recruiter, active_twilio, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(NOON, tick=False),
        django_capture_on_commit_callbacks(execute=False) as published,
    ):
        message = queue_number_reply(
            thread, "Yes, it is open", sent_by=recruiter, scheduled_for=NOON
        )
    assert len(published) == 1
    assert (message.enqueued_at, message.next_attempt_at) == (NOON, None)


def test_a_scheduled_reply_waits_for_its_time_unpublished(
    thread, recruiter, active_twilio, django_capture_on_commit_callbacks
):
    later = NOON + timedelta(hours=2)
    with (
        time_machine.travel(NOON, tick=False),
        django_capture_on_commit_callbacks(execute=False) as published,
    ):
        message = queue_number_reply(
            thread, "Call you at two", sent_by=recruiter, scheduled_for=later
        )
    assert published == []
    assert (message.enqueued_at, message.next_attempt_at) == (None, later)
    assert message.scheduled_for == later
    assert message.hold is None


def test_a_reply_scheduled_into_the_night_is_held_until_morning(
    thread, recruiter, active_twilio, quiet_hours, django_capture_on_commit_callbacks
):
    """Quiet hours are judged at the time it goes out (23:30), not when it was written
    (noon)."""
    with (
        time_machine.travel(NOON, tick=False),
        django_capture_on_commit_callbacks(execute=False) as published,
    ):
        message = queue_number_reply(
            thread, "Talk tomorrow", sent_by=recruiter, scheduled_for=NIGHT
        )
    assert published == []
    assert message.held_for == HeldFor.QUIET_HOURS
    assert message.hold.until == datetime(2026, 3, 11, 8, 0, tzinfo=TORONTO)
    assert message.recipient_zone == "America/Toronto"


def test_at_night_a_reply_right_after_theirs_goes_now_but_a_scheduled_one_is_held(
    thread, recruiter, active_twilio, quiet_hours, django_capture_on_commit_callbacks
):
    """They texted five minutes ago: they are awake, so a reply now is not held. A message
    scheduled for a quarter of an hour later is a scheduled message: quiet hours apply."""
    Thread.objects.filter(pk=thread.pk).update(last_inbound_at=NIGHT - timedelta(minutes=5))
    thread.refresh_from_db()
    with (
        time_machine.travel(NIGHT, tick=False),
        django_capture_on_commit_callbacks(execute=False) as published,
    ):
        now = queue_number_reply(thread, "Yes, still open", sent_by=recruiter)
        later = queue_number_reply(
            thread,
            "And the address is…",
            sent_by=recruiter,
            scheduled_for=NIGHT + timedelta(minutes=15),
        )
    assert (now.held_for, now.hold) == ("", None)
    assert later.held_for == HeldFor.QUIET_HOURS
    assert len(published) == 1  # only the reply that goes now


def test_at_night_without_a_recent_text_from_them_a_reply_is_held(
    thread, recruiter, active_twilio, quiet_hours, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(NIGHT.astimezone(UTC), tick=False),
        django_capture_on_commit_callbacks(execute=False) as published,
    ):
        message = queue_number_reply(thread, "We will call you", sent_by=recruiter)
    assert published == []  # held: the sweeper sends it when the window opens
    assert message.held_for == HeldFor.QUIET_HOURS
    assert message.next_attempt_at == datetime(2026, 3, 11, 8, 0, tzinfo=TORONTO)


def test_a_reply_records_who_sent_it_and_its_template(thread, recruiter, active_twilio):
    template = SmsTemplate.objects.create(name="Thanks", body="Thanks, we will call you.")
    message = queue_number_reply(thread, template.body, sent_by=recruiter, template=template)
    message.refresh_from_db()
    assert (message.sent_by, message.template) == (recruiter, template)
