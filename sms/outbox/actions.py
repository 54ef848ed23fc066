"""What a recruiter can do to one outbound message: send it again, or cancel it before it goes.

Both are safe to repeat (a double click, two tabs): a retry is a new message at most once per
original (a database constraint), and cancel and the send task's claim are both conditional
UPDATEs of a queued row, so the database decides which one wins.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from candidates.services import actor_name
from sms.attachments.outgoing import StagedFile
from sms.models import (
    AttachmentStatus,
    Direction,
    Message,
    MessageStatus,
    Thread,
    can_send_again,
)
from sms.outbox.queueing import SendRefused, queue_message


def retry_message(message: Message, *, by) -> Message:
    """Queue a new message with the same text as a failed (or outcome unknown) one, or one the
    candidate's reply cancelled (sent now).

    The original row is never touched or resent: its outcome stays on record, and the new message
    points at it with `retry_of`. Idempotent: a message already retried (double click, two tabs)
    returns its existing retry; the row lock makes a concurrent second retry wait and find it.
    """
    with transaction.atomic():
        original = Message.objects.select_for_update().get(pk=message.pk)
        existing = original.retries.order_by("pk").first()
        if existing is not None:
            return existing
        if original.direction != Direction.OUTBOUND or not can_send_again(original):
            raise SendRefused(
                "Only a message that failed, whose outcome is unknown or that a reply "
                "cancelled can be sent again."
            )
        candidate = original.thread.candidate
        if candidate is None or original.is_test:
            raise SendRefused("This message has no candidate to send it to again.")
        # An MMS is sent again with its file (the same stored file, a new attachment row).
        stored = original.attachments.filter(status=AttachmentStatus.STORED).first()
        attachment = (
            StagedFile(stored.file.name, stored.content_type, stored.size or 0) if stored else None
        )
        return queue_message(
            candidate,
            original.body,
            sent_by=by,
            template=original.template,
            retry_of=original,
            attachment=attachment,
        )


# What waits for its time and can still be called back: scheduled, or held for quiet hours.
WAITING = Q(scheduled_for__isnull=False) | ~Q(held_for="")


def cancel_scheduled(message: Message, *, by) -> Message:
    """Cancel a scheduled (or held) message that has not gone out yet; returns it, canceled.

    Canceling twice is harmless; a message already being sent (or sent) raises SendRefused.
    """
    now = timezone.now()
    with transaction.atomic():
        canceled = Message.objects.filter(
            WAITING,
            pk=message.pk,
            direction=Direction.OUTBOUND,
            status=MessageStatus.QUEUED,
        ).update(
            status=MessageStatus.CANCELED,
            next_attempt_at=None,
            error_code="canceled",
            error_message=f"Canceled by {actor_name(by)}.",
            updated_at=now,
        )
        message.refresh_from_db()
        if not canceled:
            if message.status == MessageStatus.CANCELED:
                return message
            if message.scheduled_for is None and not message.held_for:
                raise SendRefused(
                    "Only a scheduled message (or one held for quiet hours) can be canceled."
                )
            raise SendRefused("Too late to cancel: this message is already being sent.")
        Thread.objects.filter(pk=message.thread_id).refresh_preview(now=now)
    return message
