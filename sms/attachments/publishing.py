"""Recording a message's media and handing each file's download to a task (by name).

The rows are written with the message, in its transaction; the tasks are published after it
commits. A broker outage leaves the rows pending for the sweeper (sms.attachments.sweeper).
"""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction
from django.utils import timezone

from integrations.providers.base import InboundMedia
from sms.media import kinds
from sms.models import Attachment, AttachmentStatus, Message

logger = logging.getLogger(__name__)

DOWNLOAD_TASK = "sms.download_attachment"


def record_media(message: Message, media: tuple[InboundMedia, ...]) -> list[Attachment]:
    """One pending attachment per announced file; their downloads start after commit."""
    if not media:
        return []
    rows = Attachment.objects.bulk_create(
        [
            Attachment(
                message=message,
                position=position,
                source_url=item.url[:1000],
                content_type=kinds.normalized_type(item.content_type),
                status=AttachmentStatus.PENDING,
            )
            for position, item in enumerate(media)
        ]
    )
    ids = list(
        Attachment.objects.filter(message=message).order_by("position").values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: enqueue_downloads(ids))
    return rows


def enqueue_downloads(attachment_ids: list[int]) -> int:
    """Publish a download task per attachment; never raises for a broker problem."""
    if not attachment_ids:
        return 0
    Attachment.objects.filter(pk__in=attachment_ids).update(enqueued_at=timezone.now())
    task = current_app.tasks[DOWNLOAD_TASK]
    published = 0
    try:
        for attachment_id in attachment_ids:
            task.delay(attachment_id)
            published += 1
    except Exception as exc:  # kombu/redis raise several types; all mean "not published"
        Attachment.objects.filter(pk__in=attachment_ids[published:]).update(enqueued_at=None)
        logger.warning(
            "Could not publish %d attachment download(s) (%s); the sweeper will.",
            len(attachment_ids) - published,
            type(exc).__name__,
        )
    return published


def retry_download(attachment: Attachment) -> bool:
    """ "Retry" on a not-downloaded attachment: download it again now (after commit)."""
    updated = Attachment.objects.filter(pk=attachment.pk, status=AttachmentStatus.FAILED).update(
        status=AttachmentStatus.PENDING, next_attempt_at=None
    )
    if updated:
        transaction.on_commit(lambda: enqueue_downloads([attachment.pk]))
    return bool(updated)
