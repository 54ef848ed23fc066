"""Recording SMS consent: a recruiter's record of how a candidate agreed (or asked not to be
texted), and the consent a candidate gives by texting first.

Staff can record consent and opt-outs, never lift an opt-out: only the candidate's own START
does (`sms.optouts`). Everything lands in the append-only ledger (`sms.ledger`) and on the
timeline.
"""

from __future__ import annotations

from django.db import transaction

from candidates.models import Candidate
from core.phone import to_e164_or_none
from sms import ledger
from sms.models import CONSENT_RECORDED_BY_STAFF, ConsentEvent, ConsentSource, Message, OptOut
from sms.optouts import opt_out_for, opted_out_reason, set_opt_out


class ConsentRefused(Exception):
    """Consent cannot be recorded; `reason` is shown to the user as is."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _number(candidate: Candidate) -> str:
    number = to_e164_or_none(candidate.phone) if candidate.phone else None
    if number is None:
        raise ConsentRefused(f"{candidate.full_name} has no valid phone number to record it for.")
    return number


def record_consent(candidate: Candidate, *, source: str, note: str, by) -> ConsentEvent:
    """Record that the candidate agreed to be texted (how, and the recruiter's note).

    Refused while the number is opted out: only the candidate's own START lifts an opt-out.
    """
    if source not in CONSENT_RECORDED_BY_STAFF:
        raise ConsentRefused("Choose how the candidate agreed to be texted.")
    number = _number(candidate)
    with transaction.atomic():
        opt_out = OptOut.objects.select_for_update().filter(phone_number=number).first()
        if opt_out is not None and opt_out.opted_out:
            raise ConsentRefused(
                opted_out_reason(candidate.full_name, opt_out)
                + " Only a START reply from their phone lifts an opt-out."
            )
        return ledger.append(
            number, granted=True, source=source, note=note, candidate_id=candidate.pk, by=by
        )


def record_opt_out(candidate: Candidate, *, note: str, by) -> ConsentEvent:
    """Record that the candidate asked, by phone, email or in person, not to be texted."""
    number = _number(candidate)
    if opt_out_for(number) is not None:
        raise ConsentRefused(f"{candidate.full_name} has already opted out.")
    event = set_opt_out(
        number,
        opted_out=True,
        source=OptOut.Source.MANUAL,
        detail=note,
        note=note,
        by=by,
    )
    if event is None:  # opted out in the meantime
        raise ConsentRefused(f"{candidate.full_name} has already opted out.")
    return event


def record_texted_first(
    message: Message, *, has_entries: bool | None = None, earlier: bool | None = None
) -> ConsentEvent | None:
    """A number that texts us before we ever texted it has consented to replies: record that
    once, on its first message (nothing when it already has a ledger or a conversation).
    `has_entries` (the number has a ledger) and `earlier` (its thread had other messages) are
    what the caller already knows; None: asked here."""
    number = message.from_number
    if not number.startswith("+"):
        return None
    if has_entries is None:
        has_entries = ledger.has_entries(number)
    if has_entries:
        return None
    if earlier is None:
        earlier = (
            Message.objects.filter(thread_id=message.thread_id).exclude(pk=message.pk).exists()
        )
    if earlier:
        return None
    return ledger.append(
        number,
        granted=True,
        source=ConsentSource.TEXTED_FIRST,
        detail=message.body,
        provider=message.provider,
        candidate_id=message.thread.candidate_id,
        message=message,
    )
