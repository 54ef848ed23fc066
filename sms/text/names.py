"""A name a texter gave for themselves ("Hi, this is Maria Lopez"), for prefilling a new
candidate (pure). Only introductions count, and only capitalised words: "I'm interested" is
not a name."""

from __future__ import annotations

import re

_WORD = r"[A-ZÀ-Ý][a-zà-ÿ'’-]+"
_INTRODUCTION = re.compile(
    r"(?:\bthis is|\bit'?s|\bi am|\bi'?m|\bmy name is|\bname'?s|\bc'est|\bje suis|\bje m'appelle)"
    rf"\s+({_WORD})(?:\s+({_WORD}))?",
    re.IGNORECASE,
)
# Capitalised words that follow "I'm" without being a name.
_NOT_NAMES = frozenset(
    {
        "Interested", "Available", "Sorry", "Here", "Looking", "Not", "Still", "Just", "Good",
        "Fine", "Happy", "Calling", "Texting", "Writing", "Applying", "Wondering", "Free",
        "Done", "The", "A", "An", "Your", "About", "In", "At", "On", "From", "Currently",
    }
)  # fmt: skip


def name_from_messages(bodies) -> tuple[str, str]:
    """(first name, last name) from the first introduction found, else ("", "")."""
    for body in bodies:
        for match in _INTRODUCTION.finditer(body or ""):
            first, last = match.group(1), match.group(2) or ""
            # The pattern ignores case for the lead-in; the name itself must be capitalised.
            if not first[0].isupper() or first.capitalize() in _NOT_NAMES:
                continue
            if last and (not last[0].isupper() or last.capitalize() in _NOT_NAMES):
                last = ""
            return first, last
    return "", ""
