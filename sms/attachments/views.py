"""Serving stored attachments to signed-in staff, and "Retry" on one not downloaded.

Files are never at a public URL: this view checks the login and the permission to read
conversations, then streams the file from storage with its stored content type, a
Content-Disposition (inline only for raster images, PDFs and plain text; SVG, HTML and
everything else as a download), `X-Content-Type-Options: nosniff` and a sandboxing CSP.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from core.redirects import safe_next
from sms.attachments.outgoing import attachment_for_token
from sms.attachments.publishing import retry_download
from sms.media import kinds
from sms.models import Attachment, AttachmentStatus


@require_GET
@permission_required("sms.view_thread", raise_exception=True)
def attachment_file(request, pk):
    attachment = get_object_or_404(Attachment, pk=pk, status=AttachmentStatus.STORED)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("The file is missing from storage.") from None
    content_type = kinds.normalized_type(attachment.content_type) or "application/octet-stream"
    inline = kinds.shows_inline(content_type) and request.GET.get("download") != "1"
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=not inline,
        filename=attachment.filename or f"attachment-{attachment.pk}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@login_not_required
@require_GET
def public_media(request, token):
    """An outbound file, for the provider's fetch: no login, only a valid signed URL."""
    attachment = attachment_for_token(token)
    if attachment is None:
        raise Http404("This link has expired.")
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(
        handle, content_type=attachment.content_type, filename=attachment.filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
@permission_required("sms.view_thread", raise_exception=True)
def attachment_retry(request, pk):
    attachment = get_object_or_404(Attachment, pk=pk)
    if retry_download(attachment):
        messages.success(request, "Downloading the attachment again.")
    else:
        messages.info(request, "This attachment is not waiting for a retry.")
    return redirect(safe_next(request, reverse("sms:inbox")))
