"""Who must not be texted: the opt-out state per phone number, its ledger and timeline entries.

An opt-out applies to every candidate with the number. Only the number's own opt-in (a START
reply) lifts it: staff can record an opt-out, never lift one. Recording is idempotent (a
repeated STOP changes nothing). Each change appends to the consent ledger (`sms.ledger`) in the
same transaction.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format

from candidates.models import TimelineEvent
from candidates.services import record_event_for_phone
from core.batching import chunks
from sms import ledger
from sms.models import ConsentEvent, ConsentSource, OptOut, Thread
from sms.text.cleaning import clean, quote

# How an opt-out state change is recorded in the consent ledger.
LEDGER_SOURCES = {
    (True, OptOut.Source.KEYWORD): ConsentSource.OPT_OUT_KEYWORD,
    (True, OptOut.Source.PHRASE): ConsentSource.OPT_OUT_PHRASE,
    (True, OptOut.Source.PROVIDER): ConsentSource.PROVIDER_REPORT,
    (True, OptOut.Source.MANUAL): ConsentSource.RECORDED_OPT_OUT,
    (False, OptOut.Source.KEYWORD): ConsentSource.START_REPLY,
}


def opt_out_for(phone_number: str | None) -> OptOut | None:
    """The opt-out in force for this number, if it has opted out."""
    if not phone_number:
        return None
    return OptOut.objects.filter(phone_number=phone_number, opted_out=True).first()


def standing_for(phone_number: str | None) -> OptOut | None:
    """The number's standing (opted out, or its consent on record), or None: never recorded."""
    if not phone_number:
        return None
    return OptOut.objects.filter(phone_number=phone_number).first()


_STANDING = "standing_"  # the prefix of the columns `with_standing` adds


def with_standing(threads):
    """Threads with the standing of each one's number (`standing_for`) read in the same query
    (one indexed lookup per column); `loaded_standing(thread)` gives it back as an OptOut."""
    rows = OptOut.objects.filter(phone_number=OuterRef("phone_number"))
    return threads.annotate(
        **{
            f"{_STANDING}{field.attname}": Subquery(rows.values(field.attname)[:1])
            for field in OptOut._meta.concrete_fields
        }
    )


_NOT_LOADED = object()


def loaded_standing(thread, number: str | None = None, default=_NOT_LOADED):
    """The standing of the thread's number that `with_standing` read with it (None: the number
    has none), or `default` when it was not read or `number` is another one."""
    if not hasattr(thread, f"{_STANDING}id") or number not in (None, thread.phone_number):
        return default
    if getattr(thread, f"{_STANDING}id") is None:
        return None
    names = [field.attname for field in OptOut._meta.concrete_fields]
    values = [getattr(thread, f"{_STANDING}{name}") for name in names]
    return OptOut.from_db(thread._state.db, names, values)


def thread_opt_out(thread) -> OptOut | None:
    """`opt_out_for(thread.phone_number)`, from what `with_standing` read when it did."""
    standing = loaded_standing(thread)
    if standing is _NOT_LOADED:
        return opt_out_for(thread.phone_number)
    return standing if standing is not None and standing.opted_out else None


def standings_for(numbers) -> dict[str, OptOut]:
    """{number: standing} for those of `numbers` with one, in one query per 1,000."""
    wanted = sorted({n for n in numbers if n})
    return {
        row.phone_number: row
        for chunk in chunks(wanted)
        for row in OptOut.objects.filter(phone_number__in=chunk)
    }


def how_opted_out(opt_out: OptOut) -> str:
    """ "replied STOP", "replied “please stop texting me”", "told a recruiter", or "" """
    if opt_out.source == OptOut.Source.KEYWORD:
        return f"replied {opt_out.detail}" if opt_out.detail else "replied with a keyword"
    if opt_out.source == OptOut.Source.PHRASE:
        return f"replied {quote(opt_out.detail, 100)}"
    if opt_out.source == OptOut.Source.MANUAL:
        return "asked a recruiter" + (f": {quote(opt_out.detail, 100)}" if opt_out.detail else "")
    return ""


def opted_out_reason(name: str, opt_out: OptOut) -> str:
    """ "Ada Lovelace opted out of SMS on Dec. 2, 2026 (replied STOP)." """
    when = date_format(timezone.localtime(opt_out.changed_at), "DATE_FORMAT")
    how = how_opted_out(opt_out)
    return f"{name} opted out of SMS on {when}" + (f" ({how})." if how else ".")


def opted_out_line(opt_out: OptOut) -> str:
    """What the thread shows: "Opted out — replied “please stop texting me” (2 Dec, 10:02)"."""
    when = timezone.localtime(opt_out.changed_at)
    how = how_opted_out(opt_out) or opt_out.get_source_display().lower()
    return f"Opted out — {how} ({when.day} {when:%b}, {when:%H:%M})"


def set_opt_out(
    phone_number: str,
    *,
    opted_out: bool,
    source: str,
    detail: str = "",
    provider: str = "",
    message=None,
    by=None,
    note: str = "",
) -> ConsentEvent | None:
    """Record that a number opted out (or back in); returns the ledger entry of the change, or
    None when its state did not change.

    An opt-in only lifts an existing opt-out: a plain "YES" from a number that never opted out
    records nothing. Every candidate with the number gets a timeline entry on a change.
    `message` is the reply that did it, `by` the recruiter who recorded it (opt-outs only).
    """
    now = timezone.now()
    detail = clean(detail, 200)
    with transaction.atomic():
        current = OptOut.objects.select_for_update().filter(phone_number=phone_number).first()
        if current is not None and current.opted_out == opted_out:
            return None
        if (current is None or not current.opted_out) and not opted_out:
            return None
        values = {
            "opted_out": opted_out,
            "source": source,
            "detail": detail,
            "provider": provider,
            "changed_at": now,
            # An opt-out revokes the consent on record; START gives it again.
            "consent_source": "" if opted_out else ConsentSource.START_REPLY,
            "consent_at": None if opted_out else now,
        }
        opt_out, _ = OptOut.objects.update_or_create(phone_number=phone_number, defaults=values)
        event = ledger.append(
            phone_number,
            granted=not opted_out,
            source=LEDGER_SOURCES.get((opted_out, source), ConsentSource.START_REPLY),
            detail=detail,
            note=note,
            provider=provider,
            by=by,
            message=message,
            candidate_id=message.thread.candidate_id if message is not None else None,
            timeline=False,
            standing=False,
        )
        if opted_out:
            kind, text = TimelineEvent.Kind.OPTED_OUT, "Opted out of SMS"
            how = how_opted_out(opt_out) or detail
        else:
            kind, text = TimelineEvent.Kind.OPTED_IN, "Opted in to SMS again"
            how = f"replied {detail}" if source == OptOut.Source.KEYWORD else detail
        record_event_for_phone(
            phone_number,
            kind,
            f"{text} ({how})" if how else text,
            data={"phone_number": phone_number, "source": source, "consent_event_id": event.pk},
        )
        # The inbox and open conversations show an opted-out badge: make their polls see it.
        Thread.objects.filter(phone_number=phone_number).touch(now)
    return event
