"""Who must not be texted: the opt-out state per phone number, and its timeline entries.

An opt-out applies to every candidate with the number. Only the number's own opt-in (a START
reply) lifts it; recording is idempotent (a repeated STOP changes nothing).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from candidates.models import TimelineEvent
from candidates.services import record_event_for_phone
from core.batching import chunks
from sms.models import OptOut, Thread
from sms.text.cleaning import clean


def opt_out_for(phone_number: str | None) -> OptOut | None:
    """The opt-out in force for this number, if it has opted out."""
    if not phone_number:
        return None
    return OptOut.objects.filter(phone_number=phone_number, opted_out=True).first()


def opted_out_numbers(numbers) -> dict[str, OptOut]:
    """{number: opt-out} for those of `numbers` that opted out, in one query per 1,000."""
    wanted = sorted({n for n in numbers if n})
    return {
        opt_out.phone_number: opt_out
        for chunk in chunks(wanted)
        for opt_out in OptOut.objects.filter(phone_number__in=chunk, opted_out=True)
    }


def opted_out_reason(name: str, opt_out: OptOut) -> str:
    """ "Ada Lovelace opted out of SMS on Dec. 2, 2026 (replied STOP)." """
    when = date_format(timezone.localtime(opt_out.changed_at), "DATE_FORMAT")
    how = f" (replied {opt_out.detail})" if opt_out.source == OptOut.Source.KEYWORD else ""
    return f"{name} opted out of SMS on {when}{how}."


def set_opt_out(
    phone_number: str, *, opted_out: bool, source: str, detail: str = "", provider: str = ""
) -> bool:
    """Record that a number opted out (or back in); returns whether its state changed.

    An opt-in only lifts an existing opt-out: a plain "YES" from a number that never opted out
    records nothing. Every candidate with the number gets a timeline entry on a change.
    """
    now = timezone.now()
    with transaction.atomic():
        current = OptOut.objects.select_for_update().filter(phone_number=phone_number).first()
        if current is not None and current.opted_out == opted_out:
            return False
        if current is None and not opted_out:
            return False
        values = {
            "opted_out": opted_out,
            "source": source,
            "detail": clean(detail, 200),
            "provider": provider,
            "changed_at": now,
        }
        OptOut.objects.update_or_create(phone_number=phone_number, defaults=values)
        if opted_out:
            kind, text = TimelineEvent.Kind.OPTED_OUT, "Opted out of SMS"
        else:
            kind, text = TimelineEvent.Kind.OPTED_IN, "Opted in to SMS again"
        how = f"replied {detail}" if source == OptOut.Source.KEYWORD else detail
        record_event_for_phone(
            phone_number,
            kind,
            f"{text} ({how})" if how else text,
            data={"phone_number": phone_number, "source": source},
        )
        # The inbox and open conversations show an opted-out badge: make their polls see it.
        Thread.objects.filter(phone_number=phone_number).touch(now)
    return True
