"""The consent ledger as CSV, one row per entry, newest first; cells that a spreadsheet would
run as a formula are quoted."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import UTC

from sms.models import ConsentEvent

COLUMNS = [
    "recorded_at_utc",
    "phone_number",
    "consent",
    "how",
    "source",
    "detail",
    "note",
    "recorded_by",
    "candidate",
    "provider",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value):
        return value


def safe_cell(value) -> str:
    """Free text as a CSV cell that Excel and Sheets show rather than evaluate."""
    text = str(value or "")
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _row(event: ConsentEvent) -> list[str]:
    by = event.recorded_by
    return [
        event.created_at.astimezone(UTC).isoformat(timespec="seconds"),
        event.phone_number,  # E.164: digits after the "+", never a formula
        "granted" if event.granted else "revoked",
        event.get_source_display(),
        event.source,
        safe_cell(event.detail),
        safe_cell(event.note),
        safe_cell((by.get_full_name() or by.get_username()) if by else ""),
        safe_cell(event.candidate.full_name if event.candidate else ""),
        event.provider,
    ]


def ledger_rows(events: Iterable[ConsentEvent]) -> Iterator[str]:
    """CSV lines (header first) for `events`, for a StreamingHttpResponse."""
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for event in events:
        yield writer.writerow(_row(event))


def ledger_queryset(phone_number: str | None = None):
    events = ConsentEvent.objects.select_related("recorded_by", "candidate").order_by(
        "-created_at", "-id"
    )
    if phone_number is not None:
        events = events.filter(phone_number=phone_number)
    return events
