"""IANA time zones: the names a person may choose, and checking a stored one."""

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError


@cache
def zone_names() -> list[str]:
    """Every IANA zone name ("America/Toronto"), sorted; no legacy aliases ("US/Eastern")."""
    legacy = ("Etc/", "SystemV/", "US/", "posix/", "right/")
    names = (n for n in available_timezones() if "/" in n and not n.startswith(legacy))
    return [*sorted(names), "UTC"]


def zone_choices(empty_label: str) -> list[tuple[str, str]]:
    return [("", empty_label), *((name, name.replace("_", " ")) for name in zone_names())]


def zone_or_none(name: str) -> ZoneInfo | None:
    """The zone called `name`, or None for an empty or unknown name."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def validate_time_zone(name: str) -> None:
    if name and zone_or_none(name) is None:
        raise ValidationError(
            "Choose a time zone from the list, e.g. America/Toronto.", code="invalid"
        )
