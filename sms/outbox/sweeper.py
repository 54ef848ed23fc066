"""The sweeper: what keeps the outbox moving when a task was lost or is due later.

It re-publishes queued messages whose task never started (broker down, worker killed),
dispatches scheduled messages and retries whose time has come (their time lives in the
database, never in long broker countdowns), and gives up on messages stuck in `sending` past
the task's time limit ("outcome unknown"). Safe to run often and concurrently: the send task's
claim makes any extra publication harmless.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from sms.models import Direction, Message, MessageStatus, Thread
from sms.outbox.publishing import enqueue_sends
from sms.outbox.sending import OUTCOME_UNKNOWN

logger = logging.getLogger(__name__)

# A queued message whose task was published this long ago and never claimed: the task was lost
# (e.g. reserved by a worker that was killed). With the 30 s sweep, sends resume within 90 s.
LOST_TASK_AFTER = timedelta(seconds=settings.SMS_LOST_TASK_AFTER_SECONDS)
# Longer than the task's hard time limit: a message still `sending` after this, nobody is sending.
SENDING_DEADLINE = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
SWEEP_BATCH_SIZE = 1000


@dataclass(frozen=True)
class SweepResult:
    dispatched: int  # queued messages whose task was (re)published
    published: int  # of those, how many the broker accepted
    marked_unknown: int  # stuck in sending past the deadline


def sweep_outbox(*, now=None) -> SweepResult:
    """One sweep: dispatch what is due or lost, expire what is stuck."""
    now = now or timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    not_in_flight = Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=now - LOST_TASK_AFTER)
    dispatch_ids = list(
        Message.objects.filter(direction=Direction.OUTBOUND, status=MessageStatus.QUEUED)
        .filter(due & not_in_flight)
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    )
    published = 0
    if dispatch_ids:
        Message.objects.filter(pk__in=dispatch_ids, status=MessageStatus.QUEUED).update(
            enqueued_at=now
        )
        published = enqueue_sends(dispatch_ids)

    stuck = list(
        Message.objects.filter(
            status=MessageStatus.SENDING, claimed_at__lt=now - SENDING_DEADLINE
        ).values_list("pk", "thread_id")[:SWEEP_BATCH_SIZE]
    )
    marked_unknown = 0
    if stuck:
        marked_unknown = Message.objects.filter(pk__in=[pk for pk, _ in stuck]).advance(
            MessageStatus.UNKNOWN,
            error_code="no_outcome",
            error_message=f"{OUTCOME_UNKNOWN} (the sending task never reported back)",
        )
        Thread.objects.filter(pk__in={thread_id for _, thread_id in stuck}).touch()
    if dispatch_ids or stuck:
        logger.info(
            "SMS sweep: %d dispatched (%d published), %d marked outcome unknown",
            len(dispatch_ids),
            published,
            marked_unknown,
        )
    return SweepResult(len(dispatch_ids), published, marked_unknown)
