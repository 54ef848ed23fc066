"""Quiet hours in the candidate's own time: which zone that is, whether a moment falls inside
the sending window there, and when the window next opens (DST-correct).

Pure functions of their arguments (the clock is always passed in), so the rules can be tested
across daylight-saving changes without waiting for one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import timezone as phone_zones

from core.time_zones import zone_or_none

SUNDAY = 6

# Where the zone came from, as the composer says it ("America/Toronto, from the phone number").
FROM_PROFILE, FROM_NUMBER, FROM_COMPANY = "profile", "number", "company"
ZONE_SOURCES = {
    FROM_PROFILE: "set on the profile",
    FROM_NUMBER: "from the phone number",
    FROM_COMPANY: "the company time zone",
}


@dataclass(frozen=True)
class Window:
    """Texts go out only between `start` and `end` local time (and not on Sundays if set)."""

    start: time
    end: time
    no_sundays: bool = False

    def allows_day(self, day: date) -> bool:
        return not (self.no_sundays and day.weekday() == SUNDAY)


@dataclass(frozen=True)
class RecipientZone:
    zone: ZoneInfo
    source: str  # FROM_PROFILE, FROM_NUMBER or FROM_COMPANY

    @property
    def name(self) -> str:
        return self.zone.key

    @property
    def source_label(self) -> str:
        return ZONE_SOURCES[self.source]


def number_zone(number: str | None) -> ZoneInfo | None:
    """The zone of a phone number when phonenumbers knows exactly one (a +1 416 number is
    America/Toronto; a +1 500 personal number or a mobile in a multi-zone country is not)."""
    if not number:
        return None
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None
    zones = phone_zones.time_zones_for_number(parsed)
    if len(zones) != 1 or zones[0] == phone_zones.UNKNOWN_TIMEZONE:
        return None
    return zone_or_none(zones[0])


def recipient_zone(profile_zone: str, number: str | None, company: ZoneInfo) -> RecipientZone:
    """The candidate's zone: their profile's, else their number's, else the company's."""
    zone = zone_or_none(profile_zone)
    if zone is not None:
        return RecipientZone(zone, FROM_PROFILE)
    zone = number_zone(number)
    if zone is not None:
        return RecipientZone(zone, FROM_NUMBER)
    return RecipientZone(company, FROM_COMPANY)


def is_quiet(moment: datetime, zone: ZoneInfo, window: Window) -> bool:
    """Whether `moment` falls outside the sending window in `zone`."""
    local = moment.astimezone(zone)
    return not (window.allows_day(local.date()) and window.start <= local.time() < window.end)


def _instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant the clock in `zone` reads `at` on `day`. For the first hour after the
    clocks go back that is the earlier reading; for a time the clocks skip (spring forward)
    it is the same reading after the jump, an hour late but never early."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def next_opening(moment: datetime, zone: ZoneInfo, window: Window) -> datetime | None:
    """When the window next opens after `moment` in `zone` (UTC), or None when it is open."""
    if not is_quiet(moment, zone, window):
        return None
    today = moment.astimezone(zone).date()
    for offset in range(8):  # the window opens at least once a week
        day = today + timedelta(days=offset)
        if not window.allows_day(day):
            continue
        opening = _instant(day, window.start, zone)
        if opening > moment:
            return opening
    raise ValueError(f"The sending window {window} never opens.")
