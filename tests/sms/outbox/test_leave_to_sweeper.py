"""What a publisher that could not publish leaves to the sweeper: the messages still queued
lose their publication time (the next sweep publishes them at once); a message a worker has
taken in the meantime keeps its record of when it was published."""

from datetime import timedelta

from django.utils import timezone

from sms.models import Direction, Message, MessageStatus, Thread
from sms.outbox.publishing import leave_to_sweeper


def test_only_the_messages_still_queued_are_left_to_the_sweeper(db):
    published = timezone.now() - timedelta(seconds=5)
    thread = Thread.objects.create(phone_number="+12025550188")

    def message(status):
        return Message.objects.create(
            thread=thread,
            direction=Direction.OUTBOUND,
            status=status,
            body="Hello",
            to_number="+12025550188",
            enqueued_at=published,
        )

    waiting, taken = message(MessageStatus.QUEUED), message(MessageStatus.SENDING)
    leave_to_sweeper([waiting.pk, taken.pk])
    waiting.refresh_from_db()
    taken.refresh_from_db()
    assert waiting.enqueued_at is None
    assert taken.enqueued_at == published
