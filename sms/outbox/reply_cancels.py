"""A candidate's reply cancels what is still waiting for them: scheduled, held and automated
messages marked "Cancel if they reply" (the default; switchable in the composer and on each
automation rule). Called by inbound processing where the reply is recorded, in its transaction.

One conditional UPDATE of queued rows: a send task that already claimed one (`sending`) wins,
and a message cancelled here is never claimed. The recruiter can send one again with a click
(`actions.retry_message`: a new message, at most one per original).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from candidates.models import TimelineEvent
from candidates.services import record_events
from sms.models import Direction, Message, MessageStatus, Thread

REPLIED = "replied"
# What waits for the candidate: scheduled, held for quiet hours, or queued by an automation.
WAITING_FOR_CANDIDATE = (
    Q(scheduled_for__isnull=False) | ~Q(held_for="") | Q(automation_rule__isnull=False)
)


def cancelled_reason(first_name: str, at) -> str:
    """ "Cancelled — Ada replied at 10:02" (in the company's time, like the conversation)."""
    who = first_name or "The candidate"
    return f"Cancelled — {who} replied at {timezone.localtime(at):%H:%M}"


def cancel_waiting_for_reply(reply: Message) -> list[int]:
    """Cancel the reply's thread's waiting messages marked cancel-if-reply; returns their ids."""
    waiting = Message.objects.filter(
        WAITING_FOR_CANDIDATE,
        thread_id=reply.thread_id,
        direction=Direction.OUTBOUND,
        status=MessageStatus.QUEUED,
        cancel_if_reply=True,
    )
    ids = list(waiting.values_list("pk", flat=True))
    if not ids:
        return []
    thread = Thread.objects.select_related("candidate").get(pk=reply.thread_id)
    candidate = thread.candidate
    reason = cancelled_reason(candidate.first_name if candidate else "", reply.created_at)
    now = timezone.now()
    Message.objects.filter(pk__in=ids, status=MessageStatus.QUEUED).update(
        status=MessageStatus.CANCELED,
        next_attempt_at=None,
        error_code=REPLIED,
        error_message=reason,
        updated_at=now,
    )
    canceled = list(
        Message.objects.filter(pk__in=ids, status=MessageStatus.CANCELED, error_code=REPLIED)
        .order_by("pk")
        .values_list("pk", "body")
    )
    if candidate is not None:
        record_events(
            (
                candidate.pk,
                TimelineEvent.Kind.SMS_CANCELED,
                f"{reason}: “{body[:80]}” was not sent",
                {"message_id": pk, "reply_id": reply.pk},
            )
            for pk, body in canceled
        )
    Thread.objects.filter(pk=thread.pk).refresh_preview(now=now)
    return [pk for pk, _ in canceled]
