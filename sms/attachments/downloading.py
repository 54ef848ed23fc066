"""The download task's work: one attachment from "pending" (or "not downloaded") to stored, a
link, or not downloaded with the sweeper's next retry.

The task takes only the attachment id; the credentials come from the provider's settings row
through its adapter, and only for that provider's own media URLs.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone

from integrations.models import Integration
from integrations.providers import provider_for
from sms.attachments import fetching
from sms.media import kinds
from sms.models import Attachment, AttachmentStatus, Thread

logger = logging.getLogger(__name__)

# After a failed download, the sweeper tries again after these waits; then only on request.
RETRY_BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)
TO_FETCH = (AttachmentStatus.PENDING, AttachmentStatus.FAILED)


def download_attachment(attachment_id: int, *, sleep=None) -> str:
    """Fetch one attachment into storage; returns what became of it (its status)."""
    attachment = Attachment.objects.select_related("message").filter(pk=attachment_id).first()
    if attachment is None or attachment.status not in TO_FETCH:
        return "skipped"
    # Claim this attempt: a duplicated task finds the attempt count moved and stops.
    claimed = Attachment.objects.filter(
        pk=attachment.pk, status__in=TO_FETCH, attempts=attachment.attempts
    ).update(attempts=F("attempts") + 1, status=AttachmentStatus.PENDING, next_attempt_at=None)
    if not claimed:
        return "skipped"
    attachment.attempts += 1
    declared = kinds.normalized_type(attachment.content_type)
    if declared and not kinds.is_allowed(declared):
        return _keep_as_link(attachment, f"{declared} files are not kept; open it at the source")
    auth = _credentials_for(attachment)
    if auth is None:
        return _keep_as_link(attachment, "not the provider's own media: not downloaded")
    try:
        fetched = fetching.fetch(
            attachment.source_url,
            auth=auth,
            max_bytes=kinds.max_bytes(),
            **({"sleep": sleep} if sleep else {}),
        )
    except fetching.FetchProblem as problem:
        if problem.keep_as_link:
            return _keep_as_link(attachment, problem.reason)
        return _not_downloaded(attachment, problem.reason)
    content_type = kinds.normalized_type(fetched.content_type)
    if not content_type or content_type == "application/octet-stream":
        content_type = declared
    if not kinds.is_allowed(content_type):
        return _keep_as_link(
            attachment, f"{content_type or 'untyped'} files are not kept; open it at the source"
        )
    return _store(attachment, fetched.content, content_type)


def _credentials_for(attachment: Attachment) -> tuple[str, str] | None:
    integration = Integration.objects.filter(kind=attachment.message.provider).first()
    if integration is None:
        return None
    return provider_for(integration).media_credentials(attachment.source_url)


def _store(attachment: Attachment, content: bytes, content_type: str) -> str:
    extension = kinds.EXTENSIONS.get(content_type, "bin")
    filename = f"{attachment.kind.lower().replace(' ', '-')}-{attachment.message_id}-"
    filename += f"{attachment.position + 1}.{extension}"
    attachment.file.save(filename, ContentFile(content), save=False)
    updated = Attachment.objects.filter(pk=attachment.pk, status=AttachmentStatus.PENDING).update(
        status=AttachmentStatus.STORED,
        file=attachment.file.name,
        size=len(content),
        content_type=content_type,
        filename=filename,
        reason="",
    )
    if not updated:  # someone else finished it meanwhile: drop our copy
        attachment.file.storage.delete(attachment.file.name)
        return "skipped"
    _touch_thread(attachment)
    return AttachmentStatus.STORED


def _keep_as_link(attachment: Attachment, reason: str) -> str:
    Attachment.objects.filter(pk=attachment.pk).update(
        status=AttachmentStatus.LINK, reason=reason[:300], next_attempt_at=None
    )
    _touch_thread(attachment)
    return AttachmentStatus.LINK


def _not_downloaded(attachment: Attachment, reason: str) -> str:
    index = attachment.attempts - 1
    retry_at = timezone.now() + RETRY_BACKOFF[index] if index < len(RETRY_BACKOFF) else None
    Attachment.objects.filter(pk=attachment.pk).update(
        status=AttachmentStatus.FAILED, reason=reason[:300], next_attempt_at=retry_at
    )
    logger.warning("Attachment #%s not downloaded: %s", attachment.pk, reason)
    _touch_thread(attachment)
    return AttachmentStatus.FAILED


def _touch_thread(attachment: Attachment) -> None:
    """Open conversations poll the thread's version: show the attachment's new state."""
    Thread.objects.filter(pk=attachment.message.thread_id).touch()
