"""Candidate search: one box that understands names, emails and phone numbers in any format."""

import re

from django.db.models import Q

from candidates.models import Candidate
from nextal.phone import to_e164_or_none

# Characters people type in phone numbers: "+1 (202) 555-0143", "202.555.0143".
_PHONE_LIKE = re.compile(r"[\d\s+\-().]+")
_MIN_PARTIAL_DIGITS = 3


def search_candidates(query: str, queryset=None):
    """Candidates matching `query`; all of them for an empty query.

    - a complete number in any format matches its E.164 form exactly;
    - a run of at least three digits matches anywhere in the stored number ("555 01");
    - otherwise every word must appear in the first name, last name or email.
    """
    candidates = Candidate.objects.all() if queryset is None else queryset
    text = " ".join((query or "").split())
    if not text:
        return candidates

    words = Q()
    for word in text.split(" "):
        words &= (
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    condition = words

    if _PHONE_LIKE.fullmatch(text):
        e164 = to_e164_or_none(text)
        if e164:
            condition |= Q(phone=e164)
        digits = re.sub(r"\D", "", text)
        if len(digits) >= _MIN_PARTIAL_DIGITS:
            condition |= Q(phone__contains=digits)
            # A national trunk prefix ("07700 900123") is not part of the E.164 form.
            national = digits.lstrip("0")
            if national != digits and len(national) >= _MIN_PARTIAL_DIGITS:
                condition |= Q(phone__contains=national)
    return candidates.filter(condition)
