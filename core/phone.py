"""Phone numbers: parse what people type, store E.164.

Numbers typed without a country code are read in settings.DEFAULT_PHONE_REGION. A candidate's
number must be valid (`to_e164`: in a range its country uses); a provider's sender number only
possible (`sender_to_e164`: the right length for its country), since the provider knows its own
numbers better than numbering-plan metadata. Every error says what is wrong and gives an example
that passes the strict check.
"""

import re
from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from phonenumbers import PhoneNumberType

# The example every error offers; it passes the strictest check here (a test keeps it so).
EXAMPLE = "+1 202 555 0143"
Reason = phonenumbers.ValidationResult


def _example_for(number) -> str:
    """A number of the same country that passes the check (the country's own example)."""
    region = phonenumbers.region_code_for_country_code(number.country_code)
    example = phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE)
    if example is None:
        return EXAMPLE
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _parse(raw: str, region: str | None):
    """A parsed number that is at least possible, or ValidationError saying what is wrong."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError("Enter a phone number.", code="required")
    region = region or settings.DEFAULT_PHONE_REGION
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            message = (
                "Start with the country code after the +, e.g. "
                f"{EXAMPLE} (a number without one is read as {region})."
            )
        elif exc.error_type == phonenumbers.NumberParseException.NOT_A_NUMBER:
            message = f"This is not a phone number: use digits, e.g. {EXAMPLE}."
        elif exc.error_type == phonenumbers.NumberParseException.TOO_LONG:
            message = f"This has too many digits for a phone number, e.g. {EXAMPLE}."
        else:
            message = f"This has too few digits for a phone number, e.g. {EXAMPLE}."
        raise ValidationError(message, code="invalid") from exc
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in (Reason.IS_POSSIBLE, Reason.IS_POSSIBLE_LOCAL_ONLY):
        return number
    if reason == Reason.INVALID_COUNTRY_CODE:
        message = f"+{number.country_code} is not a country code. Use one, e.g. {EXAMPLE}."
    else:
        length = {Reason.TOO_SHORT: "too few", Reason.TOO_LONG: "too many"}.get(reason, "")
        message = (
            f"This has {length or 'the wrong number of'} digits for a +{number.country_code} "
            f"number, e.g. {_example_for(number)}."
        )
    raise ValidationError(message, code="invalid")


def _e164(number) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def to_e164(raw: str, region: str | None = None) -> str:
    """Return `raw` as E.164 ("+14155550123") or raise ValidationError saying what is wrong.

    Strict (candidates' numbers): the number must be valid, i.e. in a range its country uses.
    """
    number = _parse(raw, region)
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            f"{display(_e164(number))} is not a number in use: the length is right, but no "
            f"such area code or range exists (check the digits), e.g. {_example_for(number)}.",
            code="invalid",
        )
    return _e164(number)


def sender_to_e164(raw: str, region: str | None = None) -> str:
    """A provider's sender number as E.164: any *possible* number (the right length for its
    country) is accepted, because the provider, not a copy of numbering-plan metadata, knows
    which numbers it gives out (Twilio's own example +1 514 123 4567 is possible, not valid)."""
    return _e164(_parse(raw, region))


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
