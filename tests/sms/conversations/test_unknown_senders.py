"""Unknown senders: replying from their thread (same rules as for a candidate), creating a
candidate prefilled from it, linking with a phone update, and undoing a link."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from candidates.models import Candidate, TimelineEvent
from sms.models import Message, OptOut, SenderLink, Thread
from sms.text.names import name_from_messages
from tests.factories import CandidateFactory
from tests.helpers.providers import TWILIO_FROM

NUMBER = "+14165550123"  # Toronto


@pytest.fixture
def unknown(db):
    thread = Thread.objects.create(candidate=None, phone_number=NUMBER, unread_count=1)
    Message.objects.create(
        thread=thread,
        direction="inbound",
        status="received",
        from_number=NUMBER,
        to_number=TWILIO_FROM,
        body="Hi, this is Maria Lopez. Is the warehouse job still open?",
    )
    return thread


def send(client, thread, body, **headers):
    return client.post(
        reverse("sms:send_to_thread", args=[thread.pk]), {"body": body}, headers=headers
    )


def test_a_reply_to_an_unknown_sender_goes_out_from_its_thread(
    recruiter_client, unknown, active_twilio, fake_provider, django_capture_on_commit_callbacks
):
    page = recruiter_client.get(reverse("sms:inbox_thread", args=[unknown.pk])).content.decode()
    assert reverse("sms:send_to_thread", args=[unknown.pk]) in page

    with django_capture_on_commit_callbacks(execute=True):
        response = send(recruiter_client, unknown, "Yes! What is your name?")

    assert response.status_code == 302
    reply = Message.objects.get(direction="outbound")
    assert (reply.thread_id, reply.to_number, reply.status) == (unknown.pk, NUMBER, "sent")
    assert fake_provider.sends_to(NUMBER) == 1
    assert Thread.objects.get(pk=unknown.pk).candidate_id is None


def test_an_opted_out_unknown_number_cannot_be_texted(recruiter_client, unknown, active_twilio):
    OptOut.objects.create(phone_number=NUMBER, opted_out=True, changed_at=unknown.created_at)

    response = send(recruiter_client, unknown, "Still there?")

    assert response.status_code == 302
    assert not Message.objects.filter(direction="outbound").exists()
    page = recruiter_client.get(reverse("sms:inbox_thread", args=[unknown.pk])).content.decode()
    assert "You can't text this number right now." in page


def test_a_reply_at_night_in_the_numbers_zone_is_held(
    recruiter_client, unknown, active_twilio, fake_provider, quiet_hours, travel
):
    travel(datetime(2026, 3, 10, 23, 30, tzinfo=ZoneInfo("America/Toronto")))
    Thread.objects.filter(pk=unknown.pk).update(last_inbound_at=None)

    send(recruiter_client, unknown, "We will call you tomorrow")

    reply = Message.objects.get(direction="outbound")
    assert reply.held_for == "quiet_hours" and reply.recipient_zone == "America/Toronto"
    assert fake_provider.sends_to(NUMBER) == 0


def test_merge_fields_are_refused_without_a_candidate(recruiter_client, unknown, active_twilio):
    response = send(recruiter_client, unknown, "Hi {{first_name}}", **{"HX-Request": "true"})

    assert "Merge fields need a candidate" in response.content.decode()
    assert not Message.objects.filter(direction="outbound").exists()


def test_create_candidate_is_prefilled_and_takes_the_thread(recruiter_client, unknown):
    url = reverse("sms:create_candidate_from_thread", args=[unknown.pk])
    form = recruiter_client.get(url).context["form"]
    assert form.initial["phone"] == NUMBER
    assert (form.initial["first_name"], form.initial["last_name"]) == ("Maria", "Lopez")

    response = recruiter_client.post(
        url, {"first_name": "Maria", "last_name": "Lopez", "phone": NUMBER}
    )

    maria = Candidate.objects.get(first_name="Maria")
    assert maria.phone == NUMBER
    thread = Thread.objects.get(pk=unknown.pk)
    assert thread.candidate_id == maria.pk
    assert response["Location"].startswith(reverse("sms:inbox_thread", args=[thread.pk]))


def test_linking_can_update_a_differing_phone_and_be_undone(recruiter_client, unknown):
    grace = CandidateFactory(first_name="Grace", last_name="Hopper", phone="+14165550999")

    linked = recruiter_client.post(
        reverse("sms:link_thread", args=[unknown.pk]),
        {"candidate": grace.pk, "update_phone": "1"},
    )

    grace.refresh_from_db()
    assert grace.phone == NUMBER
    change = TimelineEvent.objects.get(candidate=grace, data__previous_phone="+14165550999")
    assert "+14165550999" in change.description
    link = SenderLink.objects.get()
    page = recruiter_client.get(linked["Location"])
    assert reverse("sms:undo_link", args=[link.pk]) in page.content.decode()

    response = recruiter_client.post(reverse("sms:undo_link", args=[link.pk]))

    grace.refresh_from_db()
    assert grace.phone == "+14165550999"
    back = Thread.objects.get(candidate__isnull=True, phone_number=NUMBER)
    assert back.messages.count() == 1
    assert response["Location"] == reverse("sms:inbox_thread", args=[back.pk])


def test_undo_after_merging_into_an_existing_conversation(recruiter_client, unknown):
    grace = CandidateFactory(first_name="Grace", phone="+14165550999")
    theirs = Thread.objects.create(candidate=grace, phone_number=grace.phone)
    Message.objects.create(thread=theirs, direction="outbound", status="sent", body="Hello")

    recruiter_client.post(reverse("sms:link_thread", args=[unknown.pk]), {"candidate": grace.pk})
    assert theirs.messages.count() == 2 and grace.phone == "+14165550999"

    recruiter_client.post(reverse("sms:undo_link", args=[SenderLink.objects.get().pk]))

    assert theirs.messages.count() == 1
    back = Thread.objects.get(candidate__isnull=True, phone_number=NUMBER)
    assert back.messages.get().body.startswith("Hi, this is Maria")
    assert back.last_message_preview.startswith("Hi, this is Maria")


@pytest.mark.parametrize(
    ("bodies", "name"),
    [
        (["Hi, this is Maria Lopez. Is the job open?"], ("Maria", "Lopez")),
        (["my name is Jean"], ("Jean", "")),
        (["Bonjour, c'est Amélie Poulain"], ("Amélie", "Poulain")),
        (["I'm interested in the warehouse job"], ("", "")),
        (["I'm Sam. Thanks"], ("Sam", "")),
        (["is this the warehouse?", "It's Priya Patel here"], ("Priya", "Patel")),
        (["this is about the job"], ("", "")),
    ],
)
def test_a_name_is_read_only_from_an_introduction(bodies, name):
    assert name_from_messages(bodies) == name
