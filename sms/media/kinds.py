"""Which files an attachment may be (pure): the allow-list, the size bound, how each is shown.

Anything outside the allow-list is kept as a link with its type, never stored. Only images in
raster formats, PDFs and plain text are shown inline; everything else (a vCard, and SVG or HTML
should one ever be stored) is served as a download.
"""

from __future__ import annotations

from django.conf import settings

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp"})
PDF_TYPES = frozenset({"application/pdf"})
VCARD_TYPES = frozenset({"text/vcard", "text/x-vcard", "text/directory"})
TEXT_TYPES = frozenset({"text/plain"})
ALLOWED_TYPES = IMAGE_TYPES | PDF_TYPES | VCARD_TYPES | TEXT_TYPES
# Shown in the browser; anything else is a download (Content-Disposition: attachment).
INLINE_TYPES = IMAGE_TYPES | PDF_TYPES | TEXT_TYPES
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/bmp": "bmp",
    "application/pdf": "pdf",
    "text/vcard": "vcf",
    "text/x-vcard": "vcf",
    "text/directory": "vcf",
    "text/plain": "txt",
}


# What a recruiter may attach in the composer: an image or a PDF (recognised by its first bytes,
# not by the browser's word for it).
OUTBOUND_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "application/pdf"})
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)


def sniffed_type(head: bytes) -> str:
    """The type a file's first bytes say it is ("" when none of the outbound types)."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    return ""


def normalized_type(value: str) -> str:
    """`image/JPEG; charset=x` -> `image/jpeg` ("" for nothing usable)."""
    main = (value or "").split(";", 1)[0].strip().lower()
    return main if "/" in main and len(main) <= 100 else ""


def is_allowed(content_type: str) -> bool:
    return normalized_type(content_type) in ALLOWED_TYPES


def is_image(content_type: str) -> bool:
    return normalized_type(content_type) in IMAGE_TYPES


def shows_inline(content_type: str) -> bool:
    return normalized_type(content_type) in INLINE_TYPES


def max_bytes() -> int:
    """The largest file kept (SMS_ATTACHMENT_MAX_BYTES, 5 MB by default)."""
    return settings.SMS_ATTACHMENT_MAX_BYTES


def kind_label(content_type: str) -> str:
    """What a file is, in a word ("Photo", "PDF", "Contact card", "Text", "File")."""
    main = normalized_type(content_type)
    if main in IMAGE_TYPES or main.startswith("image/"):
        return "Photo"
    if main in PDF_TYPES:
        return "PDF"
    if main in VCARD_TYPES:
        return "Contact card"
    if main in TEXT_TYPES:
        return "Text"
    if main.startswith("video/"):
        return "Video"
    if main.startswith("audio/"):
        return "Audio"
    return "File"


def media_preview(content_types: list[str]) -> str:
    """The list preview of a media-only message: "📷 Photo", "📷 3 photos", "📎 PDF"…"""
    if not content_types:
        return ""
    labels = [kind_label(value) for value in content_types]
    if all(label == "Photo" for label in labels):
        return "📷 Photo" if len(labels) == 1 else f"📷 {len(labels)} photos"
    if len(labels) == 1:
        return f"📎 {labels[0]}"
    return f"📎 {len(labels)} files"
