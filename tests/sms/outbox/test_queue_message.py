"""`queue_message` called directly: the job a message is about (the board's, else the latest
application's), the thread it lands in, and scheduling (quiet hours judged when it goes out)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from candidates import services
from sms.models import HeldFor, Thread
from sms.outbox.queueing import SendRefused, queue_message

TORONTO = ZoneInfo("America/Toronto")
NOON = datetime(2026, 3, 10, 12, 0, tzinfo=TORONTO)
NIGHT = datetime(2026, 3, 10, 23, 30, tzinfo=TORONTO)
PNG = b"\x89PNG\r\n\x1a\n" + b"png-bytes" * 20


def test_without_a_board_the_job_is_the_latest_applications(toronto, recruiter, active_twilio):
    older = services.create_job(title="Forklift Driver", recruiter=recruiter)
    newer = services.create_job(title="Warehouse Lead", recruiter=recruiter)
    services.apply(toronto, older, by=recruiter)
    services.apply(toronto, newer, by=recruiter)
    message = queue_message(toronto, "About {{job_title}}", sent_by=recruiter)
    assert message.body == "About Warehouse Lead"
    assert message.job == newer


def test_the_boards_job_wins_over_the_latest(toronto, recruiter, active_twilio):
    board = services.create_job(title="Forklift Driver", recruiter=recruiter)
    services.apply(toronto, board, by=recruiter)
    services.apply(toronto, services.create_job(title="Lead", recruiter=recruiter), by=recruiter)
    message = queue_message(toronto, "About {{job_title}}", sent_by=recruiter, job=board)
    assert (message.body, message.job) == ("About Forklift Driver", board)


def test_a_new_conversation_takes_the_number_as_texted(toronto, recruiter, active_twilio):
    message = queue_message(toronto, "Hello", sent_by=recruiter)
    assert message.to_number == "+14165550123"
    assert Thread.objects.get(candidate=toronto).phone_number == "+14165550123"


def test_a_message_now_has_no_next_attempt_and_a_scheduled_one_waits(
    toronto, recruiter, active_twilio
):
    with time_machine.travel(NOON, tick=False):
        now = queue_message(toronto, "Now", sent_by=recruiter)
        at_once = queue_message(toronto, "This minute", sent_by=recruiter, scheduled_for=NOON)
        later = queue_message(
            toronto, "Later", sent_by=recruiter, scheduled_for=NOON + timedelta(hours=1)
        )
    assert (now.next_attempt_at, now.enqueued_at) == (None, NOON)
    assert (at_once.next_attempt_at, at_once.enqueued_at) == (None, NOON)
    assert (later.next_attempt_at, later.enqueued_at) == (NOON + timedelta(hours=1), None)


def test_a_message_scheduled_into_the_night_is_held_though_written_at_noon(
    toronto, recruiter, active_twilio, quiet_hours
):
    with time_machine.travel(NOON, tick=False):
        message = queue_message(toronto, "Tomorrow?", sent_by=recruiter, scheduled_for=NIGHT)
    assert message.held_for == HeldFor.QUIET_HOURS
    assert message.next_attempt_at == datetime(2026, 3, 11, 8, 0, tzinfo=TORONTO)


def test_right_after_their_text_a_reply_goes_but_a_scheduled_one_is_held(
    toronto, recruiter, active_twilio, quiet_hours
):
    Thread.objects.create(
        candidate=toronto, phone_number="+14165550123", last_inbound_at=NIGHT - timedelta(minutes=5)
    )
    with time_machine.travel(NIGHT, tick=False):
        reply = queue_message(toronto, "Yes!", sent_by=recruiter)
        scheduled = queue_message(
            toronto, "And…", sent_by=recruiter, scheduled_for=NIGHT + timedelta(minutes=15)
        )
    assert reply.held_for == ""
    assert scheduled.held_for == HeldFor.QUIET_HOURS


def test_the_providers_file_rules_refuse_on_the_attachment(toronto, recruiter, active_clicksend):
    upload = SimpleUploadedFile("map.png", PNG, content_type="image/png")
    upload.sniffed_type = "image/png"
    with pytest.raises(SendRefused) as refused:
        queue_message(toronto, "The map", sent_by=recruiter, attachment=upload)
    assert refused.value.field == "attachment"
    assert refused.value.reason.startswith("ClickSend sends only JPEG and GIF images")
