"""The SMS consent ledger per phone number: appending an entry (with its timeline entry on every
candidate with the number) and reading a number's consent on record and its history.

Entries are only ever added (`ConsentEvent` is append-only down to the database). A grant also
becomes the number's consent on record (`OptOut.consent_source`, read with the opt-out in one
query); opt-outs and opt-ins are appended by `sms.optouts`, in the same transaction as the
standing they change.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from candidates.models import TimelineEvent
from candidates.services import record_event_for_phone
from sms.models import ConsentEvent, OptOut
from sms.text.cleaning import clean, quote

HISTORY_SHOWN = 20


def describe(event: ConsentEvent) -> str:
    """ "SMS consent recorded: verbal consent, recorded by a recruiter (“Said yes on the call”)" """
    if event.granted:
        how = event.get_source_display()
        text = f"SMS consent on record: {how[0].lower()}{how[1:]}"
    else:
        text = "SMS consent revoked: " + event.get_source_display().lower()
    if event.detail:
        text += f" ({quote(event.detail, 100)})"
    if event.note:
        text += f". Note: {quote(event.note, 200)}"
    return text


def append(
    phone_number: str,
    *,
    granted: bool,
    source: str,
    detail: str = "",
    note: str = "",
    provider: str = "",
    candidate_id: int | None = None,
    by=None,
    message=None,
    timeline: bool = True,
    standing: bool = True,
) -> ConsentEvent:
    """Add an entry to the number's ledger; every candidate with the number gets it on their
    timeline unless `timeline` is False (opt-outs write their own, more specific entry).

    A grant becomes the number's consent on record unless `standing` is False (`sms.optouts`
    writes the standing of its opt-outs and opt-ins itself). Callers make sure a grant is not
    recorded for an opted-out number (only its own START lifts an opt-out).
    """
    now = timezone.now()
    # No savepoint of its own inside a caller's transaction (processing a reply appends one per
    # texted-first message): no caller goes on after an error here, the whole of it rolls back.
    with transaction.atomic(savepoint=False):
        event = ConsentEvent.objects.create(
            phone_number=phone_number,
            granted=granted,
            source=source,
            detail=clean(detail, 200),
            note=clean(note, 500),
            provider=provider,
            candidate_id=candidate_id,
            recorded_by=by,
            message=message,
            created_at=now,
        )
        if granted and standing:
            _put_on_record(phone_number, source, now)
    if timeline:
        record_event_for_phone(
            phone_number,
            TimelineEvent.Kind.SMS_CONSENT,
            describe(event),
            data={"phone_number": phone_number, "consent_event_id": event.pk},
        )
    return event


def _put_on_record(phone_number: str, source: str, now) -> None:
    """The grant becomes the number's consent on record: a new standing row, or the existing
    one's consent unless the number is opted out, in one statement (an upsert on the unique
    number, on PostgreSQL and SQLite)."""
    table = OptOut._meta.db_table
    at = connection.ops.adapt_datetimefield_value(now)
    # The table is the model's and every value a parameter.
    sql = (
        f"INSERT INTO {table} (phone_number, opted_out, source, detail, provider, changed_at, "  # noqa: S608
        "consent_source, consent_at) VALUES (%s, %s, '', '', '', %s, %s, %s) "
        "ON CONFLICT (phone_number) DO UPDATE SET consent_source = excluded.consent_source, "
        f"consent_at = excluded.consent_at WHERE {table}.opted_out = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [phone_number, False, at, source, at, False])


def history(phone_number: str | None, limit: int = HISTORY_SHOWN) -> list[ConsentEvent]:
    """The number's ledger, newest first (the first entry is the consent on record)."""
    if not phone_number:
        return []
    return list(
        ConsentEvent.objects.filter(phone_number=phone_number)
        .select_related("recorded_by")
        .order_by("-created_at", "-id")[:limit]
    )


def has_entries(phone_number: str) -> bool:
    return ConsentEvent.objects.filter(phone_number=phone_number).exists()
