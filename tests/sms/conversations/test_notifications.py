"""Notifications: the reply-alert email (after the assignee's minutes, once per reply, never
for answered, closed or unassigned conversations), its setting, and the badge's data for the
tab title and the browser notification."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from sms.models import InboxPreferences, Thread
from sms.reply_alerts import send_reply_alerts
from tests.factories import CandidateFactory
from tests.helpers.messages import add_message


@pytest.fixture
def waiting(recruiter):
    """Ada's reply, 31 minutes old, in a conversation assigned to the recruiter."""
    ada = CandidateFactory(first_name="Ada", last_name="Lovelace")
    thread = add_message(ada, direction="inbound", body="Is Thursday still on?").thread
    Thread.objects.filter(pk=thread.pk).update(
        assigned_to=recruiter, last_inbound_at=timezone.now() - timedelta(minutes=31)
    )
    return thread


def test_the_assignee_is_emailed_once_about_a_waiting_reply(waiting, recruiter):
    assert send_reply_alerts() == 1
    assert send_reply_alerts() == 0  # once per reply

    (email,) = mail.outbox
    assert email.to == [recruiter.email]
    assert email.subject == "Ada Lovelace is waiting for an answer"
    assert "Is Thursday still on?" in email.body
    assert reverse("sms:inbox_thread", args=[waiting.pk]) in email.body


def test_not_before_the_users_minutes(waiting, recruiter):
    InboxPreferences.objects.create(user=recruiter, reply_alert_minutes=45)
    assert send_reply_alerts() == 0
    assert send_reply_alerts(now=timezone.now() + timedelta(minutes=15)) == 1


def test_a_new_reply_after_an_alert_alerts_again(waiting):
    send_reply_alerts()
    later = timezone.now() + timedelta(minutes=1)  # the candidate writes again
    Thread.objects.filter(pk=waiting.pk).update(last_inbound_at=later)

    assert send_reply_alerts(now=later + timedelta(minutes=10)) == 0
    assert send_reply_alerts(now=later + timedelta(minutes=31)) == 1
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    "change",
    [
        {"last_message_direction": "outbound"},  # answered
        {"closed_at": timezone.now()},
        {"assigned_to": None},
    ],
)
def test_no_alert_for_answered_closed_or_unassigned(waiting, change):
    Thread.objects.filter(pk=waiting.pk).update(**change)
    assert send_reply_alerts() == 0
    assert mail.outbox == []


def test_turned_off_no_email(waiting, recruiter):
    InboxPreferences.objects.create(user=recruiter, reply_alerts=False)
    assert send_reply_alerts() == 0


def test_the_demo_turns_reply_alerts_off(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not InboxPreferences.objects.filter(reply_alerts=True).exists()
    assert InboxPreferences.objects.count() >= 2


def test_the_setting_page_checks_the_minutes(recruiter_client, recruiter):
    url = reverse("sms:inbox_settings")
    page = recruiter_client.post(url, {"reply_alerts": "on", "reply_alert_minutes": "0"})
    assert "Between 1 and 1440 minutes" in page.content.decode()

    recruiter_client.post(url, {"reply_alerts": "on", "reply_alert_minutes": "10"})
    assert InboxPreferences.objects.get(user=recruiter).reply_alert_minutes == 10


def test_the_badge_carries_the_newest_reply_in_mine(recruiter_client, waiting):
    html = recruiter_client.get(reverse("sms:unread_badge")).content.decode()
    assert 'data-unread-count="1"' in html
    assert 'data-mine-who="Ada Lovelace"' in html
    assert 'data-mine-preview="Is Thursday still on?"' in html


def test_the_badge_says_when_mine_has_no_unread_reply(recruiter_client):
    html = recruiter_client.get(reverse("sms:unread_badge")).content.decode()
    assert 'data-mine-latest="0"' in html
    assert "data-mine-who" not in html
