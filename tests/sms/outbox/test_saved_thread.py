"""What queueing one message leaves behind besides the row: the field a body refusal names, the
length judged on the filled-in text only, an MMS without segments, and the thread's summary
(number, preview, author, changed_at) for a message now, at this very instant and later."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from sms.attachments.outgoing import StagedFile
from sms.models import Thread
from sms.outbox.queueing import SendRefused, queue_message

TORONTO = ZoneInfo("America/Toronto")
NOON = datetime(2026, 3, 10, 12, 0, tzinfo=TORONTO)
PNG = b"\x89PNG\r\n\x1a\n" + b"png-bytes" * 20


@pytest.fixture
def stored_png():
    name = default_storage.save("sms/staged/test-map.png", ContentFile(PNG))
    yield StagedFile(name, "image/png", len(PNG))
    default_storage.delete(name)


@pytest.mark.parametrize(
    "body",
    [
        "",  # empty
        "Your interview is at {interview time}",  # a blank left to fill in
        "{{first_name}}" + "x" * 1600,  # too long once filled in
    ],
)
def test_a_refused_body_names_the_body_field(toronto, recruiter, active_twilio, body):
    with pytest.raises(SendRefused) as refused:
        queue_message(toronto, body, sent_by=recruiter)
    assert refused.value.field == "body"


def test_the_length_is_judged_on_the_filled_in_text_only(toronto, recruiter, active_twilio):
    # 1,604 characters as written, 1,593 once {{first_name}} is "Ada".
    body = "{{first_name}}" + "x" * 1590
    message = queue_message(toronto, body, sent_by=recruiter)
    assert len(message.body) == 1593


def test_an_mms_has_no_segments_and_its_text_is_the_threads_preview(
    toronto, recruiter, active_twilio, stored_png
):
    message = queue_message(toronto, "The site map", sent_by=recruiter, attachment=stored_png)
    assert message.segments is None
    assert Thread.objects.get(candidate=toronto).last_message_preview == "The site map"


def test_a_photo_without_text_is_previewed_by_its_kind(
    toronto, recruiter, active_twilio, stored_png
):
    message = queue_message(toronto, "", sent_by=recruiter, attachment=stored_png)
    assert (message.body, message.segments) == ("", None)
    assert Thread.objects.get(candidate=toronto).last_message_preview == "📷 Photo"


def test_a_message_now_moves_the_thread_to_its_number_and_names_its_author(
    toronto, recruiter, active_twilio
):
    thread = Thread.objects.create(candidate=toronto, phone_number="+14165550999")
    with time_machine.travel(NOON, tick=False):
        queue_message(toronto, "Hello", sent_by=recruiter)
    thread.refresh_from_db()
    assert (thread.phone_number, thread.last_message_preview) == ("+14165550123", "Hello")
    assert (thread.last_message_author, thread.last_message_at) == ("Riley", NOON)


def test_a_message_scheduled_for_this_very_instant_is_the_latest_at_once(
    toronto, recruiter, active_twilio
):
    with time_machine.travel(NOON, tick=False):
        queue_message(toronto, "This minute", sent_by=recruiter, scheduled_for=NOON)
    thread = Thread.objects.get(candidate=toronto)
    assert (thread.last_message_preview, thread.last_message_at) == ("This minute", NOON)


def test_a_later_message_moves_the_number_and_changed_at_but_is_not_the_latest_yet(
    toronto, recruiter, active_twilio
):
    thread = Thread.objects.create(
        candidate=toronto, phone_number="+14165550999", changed_at=NOON - timedelta(days=1)
    )
    with time_machine.travel(NOON, tick=False):
        queue_message(toronto, "Later", sent_by=recruiter, scheduled_for=NOON + timedelta(hours=1))
    thread.refresh_from_db()
    assert (thread.phone_number, thread.changed_at) == ("+14165550123", NOON)
    assert (thread.last_message_preview, thread.last_message_author) == ("", "")
