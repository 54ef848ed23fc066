"""Candidate search: one box that understands names, emails and phone numbers in any format."""

from django.db.models import Q

from candidates.models import Candidate
from core.phone import phone_search


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

    phone = phone_search(text)
    if phone is not None:
        if phone.e164:
            condition |= Q(phone=phone.e164)
        for fragment in phone.fragments:
            condition |= Q(phone__contains=fragment)
    return candidates.filter(condition)
