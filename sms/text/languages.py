"""Choosing a template's version in a candidate's language (pure: codes and dictionaries).

Codes are Django's (settings.LANGUAGES): "fr", "en-gb", "zh-hans". A candidate who prefers
"fr-ca" gets the "fr-ca" version, else the "fr" one; otherwise the template's own language.
"""

from __future__ import annotations

from django.conf import settings


def base(code: str) -> str:
    return (code or "").split("-")[0].lower()


def language_name(code: str) -> str:
    names = dict(settings.LANGUAGES)
    return str(names.get(code) or names.get(base(code)) or code)


def pick_version(versions: dict, preferred: str):
    """The version for `preferred` in `versions` ({code: version}): exact, then the same base
    language; None when there is none (the caller falls back to the template itself)."""
    if not preferred or not versions:
        return None
    if preferred in versions:
        return versions[preferred]
    wanted = base(preferred)
    for code, version in versions.items():
        if base(code) == wanted:
            return version
    return None
