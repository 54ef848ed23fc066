"""The Attachment row: one file of a message, where it came from and whether we have it.

Declared here and imported by `sms.models` (one app, one migrations folder). The file itself
lives in Django's default storage (the filesystem by default, S3 by configuration) and is only
ever served through the login-checked view (`sms.attachments.views`).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from sms.media import kinds


class AttachmentStatus(models.TextChoices):
    PENDING = "pending", "Downloading"
    STORED = "stored", "Stored"
    FAILED = "failed", "Not downloaded"  # retried by the sweeper, and on request
    LINK = "link", "Kept as a link"  # not allowed, too large, or not the provider's media


class Attachment(models.Model):
    message = models.ForeignKey("sms.Message", on_delete=models.CASCADE, related_name="attachments")
    position = models.PositiveSmallIntegerField(default=0)  # MediaUrl{N}'s N
    source_url = models.URLField(max_length=1000, blank=True)  # the provider's URL (no secret)
    content_type = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=10, choices=AttachmentStatus.choices, default=AttachmentStatus.PENDING
    )
    reason = models.CharField(max_length=300, blank=True)  # why it is a link / not downloaded
    file = models.FileField(upload_to="sms/attachments/%Y/%m/", max_length=300, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    # Outbound: the random part of the signed, expiring URL the provider fetches the file from
    # (sms.attachments.outgoing); rotated with every send, so an old URL stops working.
    public_nonce = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)  # the sweeper's next retry
    enqueued_at = models.DateTimeField(null=True, blank=True)  # its download task's publication
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["message_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "position"], name="one_attachment_per_position"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AttachmentStatus.values), name="attachment_status_valid"
            ),
            # A stored attachment has its file; nothing else has one.
            models.CheckConstraint(
                condition=(Q(status=AttachmentStatus.STORED) & ~Q(file=""))
                | (~Q(status=AttachmentStatus.STORED) & Q(file="")),
                name="attachment_file_iff_stored",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=Q(status__in=["pending", "failed"]),
                name="attachment_to_fetch_idx",
            ),
        ]

    def __str__(self):
        return f"Attachment #{self.pk} of SMS #{self.message_id} ({self.status})"

    @property
    def kind(self) -> str:
        return kinds.kind_label(self.content_type)

    @property
    def is_image(self) -> bool:
        return kinds.is_image(self.content_type)

    @property
    def is_stored(self) -> bool:
        return self.status == AttachmentStatus.STORED
