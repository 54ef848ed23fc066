"""Scheduling people can use (issue 11): the recruiter's own time zone, quick choices, the
candidate's local time when it differs, editing a scheduled message and undoing a cancel."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from sms.conversations.forms import quick_choice
from sms.models import Message, MessageStatus

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # a Wednesday
LONDON, TORONTO = ZoneInfo("Europe/London"), ZoneInfo("America/Toronto")


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def in_london(recruiter_client):
    recruiter_client.post(reverse("account_time_zone"), {"time_zone": "Europe/London"})


def send(client, candidate, **data):
    return client.post(
        reverse("sms:send_to_candidate", args=[candidate.pk]),
        {"kind": "custom", "body": "See you then!", **data},
    )


def test_quick_choices_are_tomorrow_and_next_monday_at_nine_in_the_active_zone():
    with timezone.override(TORONTO):
        assert quick_choice("tomorrow-9") == datetime(2026, 12, 3, 9, 0, tzinfo=TORONTO)
        assert quick_choice("monday-9") == datetime(2026, 12, 7, 9, 0, tzinfo=TORONTO)
        monday = datetime(2026, 12, 7, 12, 0, tzinfo=TORONTO)
        assert quick_choice("monday-9", now=monday) == datetime(2026, 12, 14, 9, tzinfo=TORONTO)


def test_a_recruiter_chooses_their_time_zone(recruiter_client, recruiter):
    response = recruiter_client.post(
        reverse("account_time_zone"), {"time_zone": "Europe/London"}, follow=True
    )
    assert "Times are now shown in Europe/London." in response.content.decode()
    assert recruiter.preferences.time_zone == "Europe/London"
    # Remembered at the next sign-in too.
    recruiter_client.logout()
    recruiter_client.force_login(recruiter)
    assert recruiter_client.session["nextal_time_zone"] == "Europe/London"
    response = recruiter_client.post(reverse("account_time_zone"), {"time_zone": "Mars/Base"})
    assert response.context["form"].errors["time_zone"]


def test_tomorrow_nine_is_in_the_recruiters_zone_with_the_candidates_time_beside_it(
    recruiter_client, in_london, candidate, active_twilio
):
    candidate.time_zone = "America/Toronto"
    candidate.save()
    html = recruiter_client.get(reverse("candidates:detail", args=[candidate.pk])).content.decode()
    assert "Your time zone: Europe/London" in html
    assert "Ada is in America/Toronto" in html
    assert ">Tomorrow 9:00</button>" in html and "04:00 for Ada" in html  # 9:00 London

    send(recruiter_client, candidate, quick="tomorrow-9")
    message = Message.objects.get()
    assert message.scheduled_for == datetime(2026, 12, 3, 9, 0, tzinfo=LONDON)
    assert message.status == MessageStatus.QUEUED


def test_a_typed_time_is_read_in_the_recruiters_zone(
    recruiter_client, in_london, candidate, active_twilio
):
    send(recruiter_client, candidate, action="schedule", scheduled_for="2026-12-02T18:30")
    assert Message.objects.get().scheduled_for == datetime(2026, 12, 2, 18, 30, tzinfo=UTC)


def test_a_scheduled_message_can_be_edited_and_rescheduled(
    recruiter_client, candidate, active_twilio
):
    send(recruiter_client, candidate, quick="tomorrow-9")
    message = Message.objects.get()
    url = reverse("sms:message_reschedule", args=[message.pk])
    recruiter_client.post(
        url, {"body": "Moved: {{first_name}}, see you Friday", "when": "2026-12-04T10:15"}
    )
    message.refresh_from_db()
    assert message.body == "Moved: Ada, see you Friday"
    assert (
        message.scheduled_for
        == message.next_attempt_at
        == datetime(2026, 12, 4, 10, 15, tzinfo=UTC)
    )

    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENT)
    response = recruiter_client.post(
        url, {"body": "Too late", "when": "2026-12-05T10:00"}, follow=True
    )
    assert "Too late to change" in response.content.decode()
    message.refresh_from_db()
    assert message.body == "Moved: Ada, see you Friday"


def test_cancel_can_be_undone_until_the_time_passes(
    recruiter_client, recruiter, candidate, active_twilio, time_machine
):
    send(recruiter_client, candidate, quick="tomorrow-9")
    message = Message.objects.get()
    recruiter_client.post(reverse("sms:message_cancel", args=[message.pk]))
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELED
    html = recruiter_client.get(reverse("candidates:detail", args=[candidate.pk])).content.decode()
    assert ">Undo</button>" in html

    recruiter_client.post(reverse("sms:message_undo_cancel", args=[message.pk]))
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.next_attempt_at == message.scheduled_for

    recruiter_client.post(reverse("sms:message_cancel", args=[message.pk]))
    time_machine.move_to(message.scheduled_for + timedelta(minutes=1), tick=False)
    # A day later the idle session has ended (accounts: SESSION_IDLE_HOURS): sign in again.
    recruiter_client.force_login(recruiter)
    html = recruiter_client.get(reverse("candidates:detail", args=[candidate.pk])).content.decode()
    assert ">Undo</button>" not in html
    response = recruiter_client.post(
        reverse("sms:message_undo_cancel", args=[message.pk]), follow=True
    )
    assert "Too late to undo" in response.content.decode()
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELED


def test_a_scheduled_message_is_not_the_threads_preview_until_it_goes_out(
    recruiter_client, candidate, active_twilio
):
    send(recruiter_client, candidate, quick="tomorrow-9", body="Scheduled hello")
    thread = candidate.sms_thread
    assert thread.last_message_preview == ""
    recruiter_client.post(reverse("sms:message_cancel", args=[Message.objects.get().pk]))
    thread.refresh_from_db()
    assert thread.last_message_preview == ""
