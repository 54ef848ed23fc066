"""Files a recruiter attaches to an outbound message, and the URL the provider fetches them
from.

Twilio (and ClickSend's MMS API) take a public URL, not the bytes. Each send signs a fresh
URL under PUBLIC_BASE_URL: `/media/sms/<token>/`, where the token signs the attachment id and
a random nonce stored on the row, with a timestamp (django.core.signing). The URL is
unguessable, works for SMS_PUBLIC_MEDIA_MAX_AGE seconds (the provider's fetch window, 1 hour
by default) and stops working as soon as another send rotates the nonce.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.urls import reverse

from sms.attachments.fetching import megabytes
from sms.media import kinds
from sms.models import Attachment, AttachmentStatus, Message

SALT = "sms.attachments.public-media"
STAGE_SALT = "sms.attachments.staged-upload"
STAGED_MAX_AGE = 3600  # a bulk send's preview stays sendable this long


def check_upload(upload: File) -> str:
    """The type of an attachable file (JPEG, PNG, GIF or PDF by its first bytes, at most
    SMS_ATTACHMENT_MAX_BYTES); ValidationError otherwise."""
    limit = kinds.max_bytes()
    if upload.size > limit:
        raise ValidationError(
            f"The file is {megabytes(upload.size)}; attach at most {megabytes(limit)}."
        )
    head = upload.read(16)
    upload.seek(0)
    content_type = kinds.sniffed_type(head)
    if content_type not in kinds.OUTBOUND_TYPES:
        raise ValidationError("Attach a JPEG, PNG or GIF image, or a PDF.")
    return content_type


@dataclass(frozen=True)
class StagedFile:
    """A checked upload kept between a bulk send's preview and its send."""

    name: str  # in the default storage
    sniffed_type: str
    size: int


def stage_upload(upload: File, content_type: str) -> str:
    """Keep an upload for the send step; returns a signed token naming it (a hidden field)."""
    extension = kinds.EXTENSIONS.get(content_type, "bin")
    name = default_storage.save(f"sms/staged/{secrets.token_urlsafe(16)}.{extension}", upload)
    return signing.dumps({"name": name, "type": content_type, "size": upload.size}, salt=STAGE_SALT)


def staged_file(token: str) -> StagedFile | None:
    try:
        value = signing.loads(token, salt=STAGE_SALT, max_age=STAGED_MAX_AGE)
    except signing.BadSignature:
        return None
    if not default_storage.exists(value["name"]):
        return None
    return StagedFile(value["name"], value["type"], value["size"])


def attach_staged(message_ids: list[int], staged: StagedFile) -> int:
    """The same stored file for every message of a bulk send (one row each, one file)."""
    label = kinds.kind_label(staged.sniffed_type).lower()
    extension = kinds.EXTENSIONS.get(staged.sniffed_type, "bin")
    rows = Attachment.objects.bulk_create(
        [
            Attachment(
                message_id=message_id,
                position=0,
                content_type=staged.sniffed_type,
                status=AttachmentStatus.STORED,
                file=staged.name,
                size=staged.size,
                filename=f"{label}-{message_id}-1.{extension}",
            )
            for message_id in message_ids
        ],
        batch_size=1000,
    )
    return len(rows)


def attach_upload(message: Message, upload: File, content_type: str) -> Attachment:
    """Store an uploaded file (already checked by the composer's form) for `message`."""
    extension = kinds.EXTENSIONS.get(content_type, "bin")
    attachment = Attachment(
        message=message,
        position=0,
        content_type=content_type,
        status=AttachmentStatus.STORED,
        size=upload.size,
        filename=f"{kinds.kind_label(content_type).lower()}-{message.pk}-1.{extension}",
    )
    attachment.file.save(attachment.filename, upload, save=False)
    attachment.save()
    return attachment


def public_media_urls(message: Message) -> tuple[str, ...]:
    """Fresh signed URLs of the message's stored files, for this send (one query, one UPDATE
    per file)."""
    urls = []
    for attachment in message.attachments.filter(status=AttachmentStatus.STORED):
        nonce = secrets.token_urlsafe(24)
        Attachment.objects.filter(pk=attachment.pk).update(public_nonce=nonce)
        token = signing.TimestampSigner(salt=SALT).sign(f"{attachment.pk}.{nonce}")
        urls.append(settings.PUBLIC_BASE_URL + reverse("sms:public_media", args=[token]))
    return tuple(urls)


def attachment_for_token(token: str) -> Attachment | None:
    """The attachment a public URL names, while it is valid; None otherwise."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(
            token, max_age=settings.SMS_PUBLIC_MEDIA_MAX_AGE
        )
    except signing.BadSignature:  # also SignatureExpired
        return None
    pk, _, nonce = value.partition(".")
    if not pk.isdigit() or not nonce:
        return None
    return Attachment.objects.filter(
        pk=int(pk),
        public_nonce=nonce,
        status=AttachmentStatus.STORED,
        message__direction="outbound",
    ).first()
