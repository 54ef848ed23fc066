"""Phone numbers: parse what people type, store E.164.

Numbers typed without a country code are read in settings.DEFAULT_PHONE_REGION. A number that
parses but is not valid (too long, wrong length for its country) is rejected, never kept.
"""

import re
from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError


def to_e164(raw: str, region: str | None = None) -> str:
    """Return `raw` as E.164 ("+14155550123") or raise ValidationError with a readable message."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError("Enter a phone number.", code="required")
    try:
        number = phonenumbers.parse(text, region or settings.DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            "Enter a valid phone number, e.g. +1 202 555 0143.", code="invalid"
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            "This is not a valid phone number for its country. Include the country code, "
            "e.g. +44 7700 900123.",
            code="invalid",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def to_e164_or_none(raw: str, region: str | None = None) -> str | None:
    """E.164, or None for anything that is not a valid phone number (short codes, garbage)."""
    try:
        return to_e164(raw, region)
    except ValidationError:
        return None


def display(e164: str) -> str:
    """A readable international form ("+1 202-555-0143"); falls back to the input."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# Characters people type in phone numbers: "+1 (202) 555-0143", "202.555.0143".
PHONE_LIKE = re.compile(r"[\d\s+\-().]+")
MIN_PARTIAL_DIGITS = 3


@dataclass(frozen=True)
class PhoneSearch:
    """What a search box text means as a phone number."""

    e164: str | None  # a complete number, to match exactly
    fragments: tuple[str, ...]  # digit runs to match anywhere in a stored number


def phone_search(text: str) -> PhoneSearch | None:
    """How to look up `text` as a phone number, or None when it does not look like one.

    A run of at least three digits matches anywhere ("555 01"); a national trunk prefix
    ("07700 900123") is not part of the E.164 form, so the digits without it match too.
    """
    text = " ".join((text or "").split())
    if not text or not PHONE_LIKE.fullmatch(text):
        return None
    digits = re.sub(r"\D", "", text)
    fragments = [
        d for d in dict.fromkeys((digits, digits.lstrip("0"))) if len(d) >= MIN_PARTIAL_DIGITS
    ]
    return PhoneSearch(e164=to_e164_or_none(text), fragments=tuple(fragments))
