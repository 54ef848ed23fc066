"""Invariants the database keeps for the SMS models, whatever the code above it does."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from sms.models import Direction, Message, MessageStatus, Thread
from tests.factories import CandidateFactory


@pytest.fixture
def failed_message(db):
    candidate = CandidateFactory()
    thread = Thread.objects.create(candidate=candidate, phone_number=candidate.phone)
    return Message.objects.create(
        thread=thread,
        direction=Direction.OUTBOUND,
        status=MessageStatus.FAILED,
        body="Hi",
        to_number=candidate.phone,
    )


def _retry(original):
    return Message.objects.create(
        thread=original.thread,
        direction=Direction.OUTBOUND,
        status=MessageStatus.QUEUED,
        body=original.body,
        to_number=original.to_number,
        retry_of=original,
    )


def test_a_message_can_be_retried_once(failed_message):
    _retry(failed_message)
    with pytest.raises(IntegrityError), transaction.atomic():
        _retry(failed_message)
    assert failed_message.retries.count() == 1


def test_messages_without_a_retry_link_are_unconstrained(failed_message):
    for _ in range(3):
        Message.objects.create(
            thread=failed_message.thread,
            direction=Direction.OUTBOUND,
            status=MessageStatus.QUEUED,
            body="Another",
            to_number=failed_message.to_number,
        )
    assert Message.objects.filter(retry_of__isnull=True).count() == 4


def test_an_inbound_message_is_always_received(failed_message):
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(
            thread=failed_message.thread,
            direction=Direction.INBOUND,
            status=MessageStatus.SENT,
            body="Yes",
            created_at=timezone.now(),
        )
