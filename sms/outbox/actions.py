"""What a recruiter can do to one outbound message: send it again, cancel it before it goes (and
undo that while its time has not come), or change a scheduled one's text and time.

Both are safe to repeat (a double click, two tabs): a retry is a new message at most once per
original (a database constraint), and cancel and the send task's claim are both conditional
UPDATEs of a queued row, so the database decides which one wins.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q
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
from sms.outbox.queueing import SendRefused, queue_message, render_body
from sms.text.segments import measure


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
        candidate = original.thread.candidate if original.thread else None  # a test: none
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


def undo_cancel(message: Message, *, by) -> Message:
    """Put a canceled scheduled message back, while its time has not come: it goes out then,
    as if never canceled. Conditional on the row still being canceled and due later."""
    now = timezone.now()
    with transaction.atomic():
        restored = Message.objects.filter(
            pk=message.pk,
            direction=Direction.OUTBOUND,
            status=MessageStatus.CANCELED,
            error_code="canceled",
            scheduled_for__gt=now,
            attempts=0,
        ).update(
            # The one move back in a message's life: a canceled row that was never attempted
            # returns to the outbox (statuses otherwise only move forward, models.advance).
            status=MessageStatus.QUEUED,
            next_attempt_at=F("scheduled_for"),
            enqueued_at=None,
            error_code="",
            error_message="",
            updated_at=now,
        )
        message.refresh_from_db()
        if not restored and message.status != MessageStatus.QUEUED:
            raise SendRefused("Too late to undo: its time has passed.")
        Thread.objects.filter(pk=message.thread_id).touch(now)
    return message


def reschedule(message: Message, *, body: str, scheduled_for, by) -> Message:
    """Change a scheduled message's text or time before it goes out (merge fields in the new
    text are filled in for the candidate). Conditional on it still waiting for its time."""
    now = timezone.now()
    if scheduled_for is None or scheduled_for <= now:
        raise SendRefused("Choose a time in the future.", field="scheduled_for")
    candidate = message.thread.candidate if message.thread else None
    if candidate is None:
        raise SendRefused("This message has no candidate.")
    body = render_body(candidate, body, sent_by=message.sent_by or by, job=message.job)
    changed = Message.objects.filter(
        pk=message.pk,
        direction=Direction.OUTBOUND,
        status=MessageStatus.QUEUED,
        scheduled_for__isnull=False,
        attempts=0,
        held_for="",
    ).update(
        body=body,
        segments=measure(body).segments,
        scheduled_for=scheduled_for,
        next_attempt_at=scheduled_for,
        enqueued_at=None,
        updated_at=now,
    )
    if not changed:
        raise SendRefused("Too late to change: this message is already being sent.")
    Thread.objects.filter(pk=message.thread_id).touch(now)
    message.refresh_from_db()
    return message
