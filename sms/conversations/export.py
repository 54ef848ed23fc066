"""Export one conversation from the thread menu: a CSV (every message, oldest first, with its
attachments) and a printable page. Free text is quoted so that spreadsheets show it rather
than run it (CSV injection)."""

import csv

from django.contrib.auth.decorators import permission_required
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from sms.models import Direction, Message, Thread

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = ["time", "direction", "from", "to", "author", "status", "body", "attachments"]


class _Echo:
    def write(self, value):
        return value


def safe_cell(value) -> str:
    text = str(value or "")
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _messages(thread: Thread):
    return (
        thread.messages.select_related("sent_by")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def _author(message: Message, thread: Thread) -> str:
    if message.direction == Direction.INBOUND:
        return str(thread.candidate) if thread.candidate_id else thread.phone_number
    if message.sent_by_id:
        return message.sent_by.get_full_name() or message.sent_by.username
    return "Nextal"


def _attachments(message: Message, request) -> str:
    parts = []
    for attachment in message.attachments.all():
        if attachment.is_stored:
            where = request.build_absolute_uri(reverse("sms:attachment_file", args=[attachment.pk]))
        else:
            where = f"{attachment.get_status_display().lower()}: {attachment.source_url}"
        parts.append(f"{attachment.kind} ({attachment.content_type or 'unknown type'}) {where}")
    return "; ".join(parts)


def _rows(thread: Thread, request):
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(HEADER)  # a BOM: Excel reads the file as UTF-8
    for message in _messages(thread).iterator(chunk_size=500):
        yield writer.writerow(
            [
                timezone.localtime(message.created_at).isoformat(timespec="seconds"),
                message.direction,
                message.from_number,
                message.to_number,
                safe_cell(_author(message, thread)),
                message.status,
                safe_cell(message.body),
                safe_cell(_attachments(message, request)),
            ]
        )


@require_GET
@permission_required("sms.view_thread", raise_exception=True)
def export_csv(request, pk):
    thread = get_object_or_404(Thread.objects.select_related("candidate"), pk=pk)
    response = StreamingHttpResponse(_rows(thread, request), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sms-conversation-{thread.pk}.csv"'
    return response


@require_GET
@permission_required("sms.view_thread", raise_exception=True)
def export_print(request, pk):
    thread = get_object_or_404(Thread.objects.select_related("candidate"), pk=pk)
    return render(
        request,
        "sms/conversation_print.html",
        {
            "thread": thread,
            "candidate": thread.candidate,
            "sms_messages": [(m, _author(m, thread)) for m in _messages(thread)],
            "printed_at": timezone.localtime(),
        },
    )
