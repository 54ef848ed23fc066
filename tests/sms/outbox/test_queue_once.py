"""A composer's post queued once (`queue_message_once`): the same text from the same sender to
the same candidate since the composer opened is the same post again (a double click, a retried
request) and returns the message already queued; anything else is a new message."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from candidates import services
from sms.models import Direction, Message, MessageStatus
from sms.outbox.queueing import queue_message_once
from tests.factories import CandidateFactory, UserFactory

OPENED = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
POSTED = OPENED + timedelta(minutes=2)


@pytest.fixture
def frozen():
    with time_machine.travel(POSTED, tick=False):
        yield


def post(candidate, sender, body="Hello, are you free on Monday?", **options):
    options.setdefault("opened_at", OPENED)
    return queue_message_once(candidate, body, sent_by=sender, **options)


def test_the_same_post_again_returns_the_message_already_queued(
    candidate, recruiter, active_twilio, frozen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as published:
        first, repeated_first = post(candidate, recruiter)
        again, repeated = post(candidate, recruiter)
    assert (repeated_first, repeated) == (False, True)
    assert again.pk == first.pk
    assert again.hold is None
    assert Message.objects.count() == 1
    assert len(published) == 1


def test_merge_fields_are_compared_as_the_candidate_received_them(
    candidate, recruiter, active_twilio, frozen
):
    job = services.create_job(title="Warehouse Lead", recruiter=recruiter)
    body = "Hi {{first_name}}, {{recruiter_name}} here about {{job_title}}."
    first, _ = post(candidate, recruiter, body, job=job)
    again, repeated = post(candidate, recruiter, body, job=job)
    assert first.body == "Hi Ada, Riley Recruiter here about Warehouse Lead."
    assert (again.pk, repeated) == (first.pk, True)


def test_the_same_text_to_someone_else_is_their_own_message(
    candidate, recruiter, active_twilio, frozen
):
    first, _ = post(candidate, recruiter)
    grace = CandidateFactory(first_name="Grace", phone="+12025550177")
    other, repeated = post(grace, recruiter)
    assert repeated is False and other.pk != first.pk
    assert other.thread.candidate == grace


def test_the_same_text_from_another_recruiter_is_theirs(
    candidate, recruiter, active_twilio, frozen
):
    first, _ = post(candidate, recruiter)
    colleague = UserFactory(username="sam", first_name="Sam")
    other, repeated = post(candidate, colleague)
    assert repeated is False and other.pk != first.pk
    assert Message.objects.count() == 2


def test_the_same_words_from_the_candidate_are_no_earlier_post(
    candidate, recruiter, active_twilio, frozen
):
    first, _ = post(candidate, recruiter, body="Monday works")
    Message.objects.filter(pk=first.pk).update(direction=Direction.INBOUND, status="received")
    reply, repeated = post(candidate, recruiter, body="Monday works")
    assert repeated is False and reply.pk != first.pk
    assert reply.direction == Direction.OUTBOUND


def test_the_same_text_sent_before_the_composer_opened_is_sent_again(
    candidate, recruiter, active_twilio, frozen
):
    first, _ = post(candidate, recruiter)
    Message.objects.filter(pk=first.pk).update(created_at=OPENED - timedelta(seconds=1))
    again, repeated = post(candidate, recruiter)
    assert repeated is False and again.pk != first.pk


def test_of_several_earlier_posts_the_latest_is_returned(
    candidate, recruiter, active_twilio, frozen
):
    older, _ = post(candidate, recruiter, opened_at=None)
    newer, _ = post(candidate, recruiter, opened_at=None)  # both at the same instant
    again, repeated = post(candidate, recruiter)
    assert repeated is True
    assert again.pk == max(older.pk, newer.pk)
    assert again.status == MessageStatus.QUEUED


def test_without_an_opening_time_every_post_is_new(candidate, recruiter, active_twilio, frozen):
    first, _ = post(candidate, recruiter, opened_at=None)
    second, repeated = post(candidate, recruiter, opened_at=None)
    assert repeated is False and second.pk != first.pk
