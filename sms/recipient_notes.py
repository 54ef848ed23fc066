"""What a composer says about the recipient before a message is written: their local time and
where their zone came from, whether a message now would be held for quiet hours, their consent
on record, and why they opted out. Shared by the conversation composer and the kanban sidebar."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from sms.eligibility import SendingCheck, zone_for
from sms.models import ConsentSource
from sms.optouts import opted_out_line
from sms.policy import current_policy


@dataclass(frozen=True)
class Trust:
    """What the composer says about the candidate's time and consent."""

    zone_name: str
    zone_source: str  # "from the phone number", "set on the profile", "the company time zone"
    local_time: str  # "21:40"
    hold_note: str  # "Quiet hours: sent now, it goes out 08:00 Tue (Ada's time)." or ""
    consent: str  # "No consent on record" / "Consent on record: texted first (Dec 2)"
    has_consent: bool
    opted_out_line: str  # "Opted out — replied “please stop texting me” (2 Dec, 10:02)"


def trust_for(candidate, check: SendingCheck) -> Trust | None:
    """The composer's line about the candidate's local time, quiet hours and consent."""
    if check.number is None:
        return None
    zone = check.zone or zone_for(candidate, check.number, current_policy())
    standing = check.standing
    if standing is not None and standing.has_consent:
        how = ConsentSource(standing.consent_source).label
        when = timezone.localtime(standing.consent_at)
        consent = f"Consent on record: {how[0].lower()}{how[1:]} ({when:%b} {when.day})"
    else:
        consent = "No consent on record"
    opted_out = standing is not None and standing.opted_out
    hold = check.hold
    first_name = candidate.first_name if candidate is not None else ""
    whose = f"{first_name}'s" if first_name else "their"
    return Trust(
        zone_name=zone.name,
        zone_source=zone.source_label,
        local_time=timezone.now().astimezone(zone.zone).strftime("%H:%M"),
        hold_note=(
            f"Quiet hours in {whose} time: a message sent now is held until {hold.opens_label}."
            if hold
            else ""
        ),
        consent=consent,
        has_consent=bool(standing is not None and standing.has_consent),
        opted_out_line=opted_out_line(standing) if opted_out else "",
    )
