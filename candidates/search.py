"""Candidate search: one box that understands names, emails and phone numbers in any format."""

from django.db.models import Q

from candidates.models import Candidate
from core.phone import phone_search

# A search box, not a document: like the inbox's, longer queries are cut (10,000 words once cost
# 3.7 s a request), and only the first words become conditions.
MAX_QUERY_CHARS = 100
MAX_QUERY_WORDS = 8


def bounded_query(query) -> str:
    """The query as searched: whitespace collapsed, at most MAX_QUERY_CHARS characters."""
    return " ".join(str(query or "").split())[:MAX_QUERY_CHARS].strip()


def search_candidates(query: str, queryset=None):
    """Candidates matching `query`; all of them for an empty query.

    - a complete number in any format matches its E.164 form exactly;
    - a run of at least three digits matches anywhere in the stored number ("555 01");
    - otherwise every word must appear in the first name, last name or email.
    """
    candidates = Candidate.objects.all() if queryset is None else queryset
    text = bounded_query(query)
    if not text:
        return candidates

    words = Q()
    for word in text.split(" ")[:MAX_QUERY_WORDS]:
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
