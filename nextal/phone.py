"""Phone numbers: parse what people type, store E.164.

Numbers typed without a country code are read in settings.DEFAULT_PHONE_REGION. A number that
parses but is not valid (too long, wrong length for its country) is rejected, never kept.
"""

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
