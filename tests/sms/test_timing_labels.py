"""How a message says when it goes out: "Retrying, next at 07:20", "Overdue since 07:10",
"Sent 7 min late" (issue 11)."""

from datetime import UTC, datetime, timedelta

import pytest

from sms.models import Message
from sms.templatetags.sms_tags import sms_lateness, sms_status_label

NOW = datetime(2026, 12, 1, 7, 14, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock(time_machine, settings):
    settings.TIME_ZONE = "UTC"
    time_machine.move_to(NOW, tick=False)


def outbound(**fields):
    return Message(direction="outbound", **fields)


def test_a_retry_says_when_it_is_next_tried():
    retry = outbound(status="queued", attempts=1, next_attempt_at=NOW + timedelta(minutes=6))
    assert sms_status_label(retry) == "Retrying, next at 07:20"
    due = outbound(status="queued", attempts=1, next_attempt_at=NOW - timedelta(seconds=5))
    assert sms_status_label(due) == "Retrying"


def test_a_scheduled_message_past_its_time_says_it_is_overdue():
    scheduled_for = datetime(2026, 12, 1, 7, 10, tzinfo=UTC)
    late = outbound(status="queued", scheduled_for=scheduled_for, next_attempt_at=scheduled_for)
    assert sms_status_label(late) == "Overdue since 07:10, going out"
    ahead = outbound(status="queued", scheduled_for=NOW + timedelta(minutes=1))
    assert sms_status_label(ahead) == "Scheduled"


def test_a_message_that_left_late_says_by_how_much():
    scheduled_for = datetime(2026, 12, 1, 7, 10, tzinfo=UTC)
    late = outbound(
        status="sent", scheduled_for=scheduled_for, sent_at=scheduled_for + timedelta(minutes=7)
    )
    assert sms_lateness(late) == "Sent 7 min late"
    on_time = outbound(
        status="sent", scheduled_for=scheduled_for, sent_at=scheduled_for + timedelta(seconds=25)
    )
    assert sms_lateness(on_time) == ""
    much_later = outbound(
        status="sent", scheduled_for=scheduled_for, sent_at=scheduled_for + timedelta(minutes=185)
    )
    assert sms_lateness(much_later) == "Sent 3 h 05 min late"
    held = outbound(
        status="sent",
        scheduled_for=scheduled_for,
        sent_at=scheduled_for + timedelta(hours=9),
        held_for="quiet_hours",
    )
    assert sms_lateness(held) == ""  # quiet hours said when it would go out
    assert sms_lateness(outbound(status="sent", sent_at=NOW)) == ""
