"""Quiet hours in the candidate's own time: the zone they are judged in, and the sending window
across daylight-saving changes (America/Toronto and America/Los_Angeles, both transitions)."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from sms.quiet_hours import (
    FROM_COMPANY,
    FROM_NUMBER,
    FROM_PROFILE,
    Window,
    is_quiet,
    next_opening,
    number_zone,
    recipient_zone,
)

DEFAULT = Window(time(8, 0), time(20, 0))
TORONTO, LOS_ANGELES = ZoneInfo("America/Toronto"), ZoneInfo("America/Los_Angeles")
COMPANY = ZoneInfo("Europe/Paris")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "zone", "opens"),
    [
        # Toronto springs forward on Sun 8 Mar 2026 (02:00 EST → 03:00 EDT): 21:30 EST on the
        # Saturday is 02:30 UTC; the window opens at 08:00 EDT, which is 12:00 UTC (not 13:00).
        (utc(2026, 3, 8, 2, 30), TORONTO, utc(2026, 3, 8, 12, 0)),
        # ... and the day before it opened at 08:00 EST = 13:00 UTC.
        (utc(2026, 3, 7, 5, 0), TORONTO, utc(2026, 3, 7, 13, 0)),
        # Toronto falls back on Sun 1 Nov 2026 (02:00 EDT → 01:00 EST): 23:00 EDT on the
        # Saturday (03:00 UTC) waits for 08:00 EST = 13:00 UTC (not 12:00).
        (utc(2026, 11, 1, 3, 0), TORONTO, utc(2026, 11, 1, 13, 0)),
        # Los Angeles springs forward the same day: 06:00 UTC is 22:00 PST on the Saturday; the
        # window opens at 08:00 PDT = 15:00 UTC.
        (utc(2026, 3, 8, 6, 0), LOS_ANGELES, utc(2026, 3, 8, 15, 0)),
        # Los Angeles falls back: 01:30 happens twice on 1 Nov; both wait for 08:00 PST
        # (16:00 UTC).
        (utc(2026, 11, 1, 8, 30), LOS_ANGELES, utc(2026, 11, 1, 16, 0)),
        (utc(2026, 11, 1, 9, 30), LOS_ANGELES, utc(2026, 11, 1, 16, 0)),
    ],
)
def test_the_window_opens_at_0800_local_across_dst_changes(moment, zone, opens):
    assert is_quiet(moment, zone, DEFAULT)
    assert next_opening(moment, zone, DEFAULT) == opens
    assert opens.astimezone(zone).time() == time(8, 0)


@pytest.mark.parametrize(
    ("moment", "zone", "quiet"),
    [
        (utc(2026, 3, 8, 23, 59), TORONTO, False),  # 19:59 EDT on the first day of DST
        (utc(2026, 3, 9, 0, 0), TORONTO, True),  # 20:00 EDT: closed
        (utc(2026, 3, 7, 0, 59), TORONTO, False),  # 19:59 EST the day before
        (utc(2026, 3, 7, 1, 0), TORONTO, True),  # 20:00 EST
        (utc(2026, 11, 1, 13, 0), TORONTO, False),  # 08:00 EST after falling back: open
        (utc(2026, 11, 1, 12, 59), TORONTO, True),  # 07:59 EST
        (utc(2026, 3, 8, 15, 0), LOS_ANGELES, False),  # 08:00 PDT: open
        (utc(2026, 3, 8, 14, 59), LOS_ANGELES, True),
    ],
)
def test_the_window_closes_at_2000_local_either_side_of_a_change(moment, zone, quiet):
    assert is_quiet(moment, zone, DEFAULT) is quiet
    assert (next_opening(moment, zone, DEFAULT) is None) is (not quiet)


def test_no_texts_on_sundays_holds_until_monday_morning():
    window = Window(time(8, 0), time(20, 0), no_sundays=True)
    sunday_noon = utc(2026, 12, 6, 17, 0)  # 12:00 EST, Sunday 6 Dec
    assert is_quiet(sunday_noon, TORONTO, window)
    assert next_opening(sunday_noon, TORONTO, window) == utc(2026, 12, 7, 13, 0)  # Mon 08:00
    saturday_night = utc(2026, 12, 6, 2, 0)  # 21:00 EST Saturday
    assert next_opening(saturday_night, TORONTO, window) == utc(2026, 12, 7, 13, 0)


def test_a_window_opening_inside_the_skipped_hour_never_opens_early():
    window = Window(time(2, 30), time(20, 0))
    # 02:30 does not exist in Toronto on 8 Mar 2026; the earliest reading at or after it is
    # 03:30 EDT (07:30 UTC), an hour late rather than early.
    opens = next_opening(utc(2026, 3, 8, 6, 0), TORONTO, window)
    assert opens == utc(2026, 3, 8, 7, 30)
    assert opens.astimezone(TORONTO).time() >= time(2, 30)


@pytest.mark.parametrize(
    ("number", "zone"),
    [
        ("+14165550123", "America/Toronto"),
        ("+13105550123", "America/Los_Angeles"),
        ("+15145550123", "America/Toronto"),
        ("+33612345678", "Europe/Paris"),
        ("+61298765432", "Australia/Sydney"),
    ],
)
def test_a_number_with_exactly_one_zone_gives_it(number, zone):
    assert number_zone(number).key == zone


@pytest.mark.parametrize(
    "number",
    [
        "+15005550006",  # +1 500 personal numbers: anywhere in North America
        "+18005550199",  # toll-free
        "+61411111111",  # an Australian mobile: eight zones
        "+447700900123",  # not a valid number: Etc/Unknown
        "garbage",
        "",
        None,
    ],
)
def test_an_ambiguous_or_unknown_number_falls_back_to_the_company_zone(number):
    assert number_zone(number) is None
    zone = recipient_zone("", number, COMPANY)
    assert (zone.zone, zone.source, zone.source_label) == (
        COMPANY,
        FROM_COMPANY,
        "the company time zone",
    )


def test_the_profiles_zone_wins_over_the_number():
    zone = recipient_zone("America/Vancouver", "+14165550123", COMPANY)
    assert (zone.name, zone.source) == ("America/Vancouver", FROM_PROFILE)
    zone = recipient_zone("", "+14165550123", COMPANY)
    assert (zone.name, zone.source, zone.source_label) == (
        "America/Toronto",
        FROM_NUMBER,
        "from the phone number",
    )
    assert recipient_zone("Not/AZone", "+14165550123", COMPANY).source == FROM_NUMBER
