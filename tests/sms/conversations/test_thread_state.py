"""Assignment and state: the default assignee, reassigning (on the timeline), the filters
Mine / Unassigned, the badge, Mark as unread, Close / Reopen (a reply reopens), Snooze (the
sweeper brings it back)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from candidates.models import TimelineEvent
from core.roles import RECRUITERS
from integrations.providers.base import InboundSms
from sms.assignment import default_assignee_id, wake_snoozed
from sms.conversations.queries import inbox_threads, unread_thread_count
from sms.inbound.ingest import record_inbound
from sms.models import Message, Thread
from tests.factories import ApplicationFactory, CandidateFactory, JobFactory, UserFactory
from tests.helpers.messages import add_message


@pytest.fixture
def colleague(db):
    user = UserFactory(username="casey", first_name="Casey", last_name="Colleague")
    user.groups.add(Group.objects.get(name=RECRUITERS))
    return user


def reply(candidate, body="Sounds good"):
    inbound = InboundSms(
        provider_message_id=f"SM{Message.objects.count():032d}",
        from_number=candidate.phone,
        to_number="+15005550006",
        body=body,
        received_at=None,
        opt_out_type=None,
        raw={},
    )
    return record_inbound("twilio", inbound)[0]


def rows(html):
    return [int(pk) for pk in re.findall(r'id="thread-row-(\d+)"', html)]


def test_a_reply_goes_to_the_recruiter_of_the_latest_application(db, recruiter, colleague):
    ada = CandidateFactory(first_name="Ada")
    ApplicationFactory(candidate=ada, job=JobFactory(recruiter=recruiter))
    ApplicationFactory(candidate=ada, job=JobFactory(recruiter=colleague))
    add_message(ada, body="Hi Ada", sent_by=recruiter)

    message = reply(ada)

    assert Thread.objects.get(pk=message.thread_id).assigned_to == colleague


def test_without_an_application_the_last_sender_gets_it(db, recruiter, colleague):
    ada = CandidateFactory()
    add_message(ada, body="First", sent_by=recruiter)
    add_message(ada, body="Second", sent_by=colleague)

    assert default_assignee_id(Thread.objects.get(candidate=ada)) == colleague.pk
    assert Thread.objects.get(pk=reply(ada).thread_id).assigned_to == colleague


def test_assigning_to_a_colleague_moves_it_to_their_mine(
    client, recruiter, colleague, recruiter_client
):
    ada = CandidateFactory(first_name="Ada")
    thread = add_message(ada, direction="inbound", body="Hello?").thread

    recruiter_client.post(
        reverse("sms:assign_thread", args=[thread.pk]), {"assignee": colleague.pk}
    )

    thread.refresh_from_db()
    assert thread.assigned_to == colleague
    assert TimelineEvent.objects.filter(
        candidate=ada, description__startswith="SMS conversation assigned to Casey Colleague"
    ).exists()
    mine = recruiter_client.get(reverse("sms:inbox"), {"show": "mine"}).content.decode()
    assert thread.pk not in rows(mine)
    client.force_login(colleague)
    theirs = client.get(reverse("sms:inbox"), {"show": "mine"}).content.decode()
    assert rows(theirs) == [thread.pk]
    assert thread.pk not in rows(
        client.get(reverse("sms:inbox"), {"show": "unassigned"}).content.decode()
    )


def test_the_badge_counts_unread_in_mine_and_unassigned(db, recruiter, colleague):
    mine = add_message(CandidateFactory(), direction="inbound").thread
    nobodys = add_message(CandidateFactory(), direction="inbound").thread
    theirs = add_message(CandidateFactory(), direction="inbound").thread
    Thread.objects.filter(pk=mine.pk).update(assigned_to=recruiter)
    Thread.objects.filter(pk=theirs.pk).update(assigned_to=colleague)

    assert unread_thread_count(recruiter) == 2
    Thread.objects.filter(pk=nobodys.pk).update(snoozed_until=timezone.now() + timedelta(hours=1))
    assert unread_thread_count(recruiter) == 1


def test_mark_as_unread_brings_the_unread_badge_back(recruiter_client, recruiter):
    thread = add_message(CandidateFactory(), direction="inbound").thread
    recruiter_client.get(reverse("sms:inbox_thread", args=[thread.pk]))  # opening reads it
    assert Thread.objects.get(pk=thread.pk).unread_count == 0

    recruiter_client.post(reverse("sms:mark_thread_unread", args=[thread.pk]))

    assert Thread.objects.get(pk=thread.pk).unread_count == 1
    assert unread_thread_count(recruiter) == 1


def test_a_closed_conversation_is_reopened_by_a_reply(recruiter_client, recruiter):
    ada = CandidateFactory()
    thread = add_message(ada, body="Any news?", direction="inbound").thread
    recruiter_client.post(reverse("sms:close_thread", args=[thread.pk]))
    thread.refresh_from_db()
    assert thread.closed_at is not None
    assert thread not in inbox_threads(show="unassigned")
    assert thread in inbox_threads(show="all")

    reply(ada, "Hello again")

    thread.refresh_from_db()
    assert thread.closed_at is None
    assert thread in inbox_threads(show="unassigned")


def test_snooze_hides_it_until_the_sweeper_brings_it_back(recruiter_client, recruiter):
    thread = add_message(CandidateFactory(), direction="inbound").thread
    until = timezone.localtime() + timedelta(hours=2)

    recruiter_client.post(
        reverse("sms:snooze_thread", args=[thread.pk]), {"until": until.strftime("%Y-%m-%dT%H:%M")}
    )

    thread.refresh_from_db()
    assert thread.snoozed_until is not None
    assert thread not in inbox_threads(show="unassigned", user=recruiter)
    assert wake_snoozed() == 0
    assert wake_snoozed(now=until + timedelta(minutes=1)) == 1
    thread.refresh_from_db()
    assert thread.snoozed_until is None
    assert thread in inbox_threads(show="unassigned", user=recruiter)


def test_a_snooze_in_the_past_is_refused(recruiter_client):
    thread = add_message(CandidateFactory(), direction="inbound").thread
    past = timezone.localtime() - timedelta(hours=1)

    response = recruiter_client.post(
        reverse("sms:snooze_thread", args=[thread.pk]),
        {"until": past.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )

    assert "Choose a time in the future." in response.content.decode()
    assert Thread.objects.get(pk=thread.pk).snoozed_until is None


def test_without_javascript_the_assign_picker_is_a_page(recruiter_client, colleague):
    thread = add_message(CandidateFactory(first_name="Ada"), direction="inbound").thread

    page = recruiter_client.get(reverse("sms:assign_thread", args=[thread.pk]))

    html = page.content.decode()
    assert "<h1>Assign the conversation with Ada" in html
    assert f'<option value="{colleague.pk}">Casey Colleague</option>' in html


def test_only_inbox_users_are_offered(recruiter_client, colleague, outsider):
    thread = add_message(CandidateFactory(), direction="inbound").thread
    html = recruiter_client.get(
        reverse("sms:assign_thread", args=[thread.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "Casey Colleague" in html and "Olivia" not in html

    recruiter_client.post(reverse("sms:assign_thread", args=[thread.pk]), {"assignee": outsider.pk})
    assert Thread.objects.get(pk=thread.pk).assigned_to is None
