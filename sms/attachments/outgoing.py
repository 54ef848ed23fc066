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

from django.conf import settings
from django.core import signing
from django.core.files.base import File
from django.urls import reverse

from sms.media import kinds
from sms.models import Attachment, AttachmentStatus, Message

SALT = "sms.attachments.public-media"


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
