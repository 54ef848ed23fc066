"""The attachments' part of the sweep: downloads whose task was lost, and failed downloads
whose retry is due (sms.attachments.downloading.RETRY_BACKOFF). Run by the `sms.sweep_outbox`
task and `manage.py sweep_sms` with the outbox sweep."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from sms.attachments.publishing import enqueue_downloads
from sms.models import Attachment, AttachmentStatus

LOST_TASK_AFTER = timedelta(seconds=settings.SMS_LOST_TASK_AFTER_SECONDS)
BATCH_SIZE = 200


def sweep_attachments(*, now=None) -> int:
    """Publish the downloads that are due; returns how many."""
    now = now or timezone.now()
    lost = Q(status=AttachmentStatus.PENDING) & (
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=now - LOST_TASK_AFTER)
    )
    due = Q(status=AttachmentStatus.FAILED, next_attempt_at__lte=now)
    ids = list(
        Attachment.objects.filter(lost | due)
        .order_by("pk")
        .values_list("pk", flat=True)[:BATCH_SIZE]
    )
    if ids:
        Attachment.objects.filter(pk__in=ids, status=AttachmentStatus.FAILED).update(
            status=AttachmentStatus.PENDING, next_attempt_at=None
        )
        enqueue_downloads(ids)
    return len(ids)
