"""Merge fields in SMS bodies: `Hi {{first_name}}, about the {{job_title}} role…`.

Fields are written `{{name}}` (spaces inside the braces are tolerated). A body that uses a field
the candidate has no value for is never sent with a gap: `render` raises `MissingMergeValue` and
the caller skips that candidate with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings

FIELD_PATTERN = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

# Field name -> (label for the UI, what "missing" means to a recruiter).
FIELDS: dict[str, tuple[str, str]] = {
    "first_name": ("First name", "no first name"),
    "last_name": ("Last name", "no last name"),
    "full_name": ("Full name", "no name"),
    "job_title": ("Job title", "no job to name"),
    "recruiter_name": ("Recruiter name", "the sender has no full name in their profile"),
    "company_name": ("Company name", "no company name is configured"),
}


class MissingMergeValue(Exception):
    """A merge field used in the body has no value for this candidate."""

    def __init__(self, field: str):
        self.field = field
        self.reason = f"{{{{{field}}}}} is empty: {FIELDS[field][1]}"
        super().__init__(self.reason)


def field_list() -> str:
    """ "{{first_name}}, {{last_name}}, …" for messages that name the allowed fields."""
    return ", ".join("{{" + name + "}}" for name in FIELDS)


def used_fields(body: str) -> list[str]:
    """Field names used in `body`, in order of first use, each once."""
    return list(dict.fromkeys(FIELD_PATTERN.findall(body or "")))


def unknown_fields(body: str) -> list[str]:
    """Field names used in `body` that do not exist (typos such as `{{firstname}}`)."""
    return [name for name in used_fields(body) if name not in FIELDS]


def _values(candidate, job, sender) -> dict[str, Callable[[], str]]:
    return {
        "first_name": lambda: candidate.first_name,
        "last_name": lambda: candidate.last_name,
        "full_name": lambda: candidate.full_name,
        "job_title": lambda: job.title if job is not None else "",
        "recruiter_name": lambda: sender.get_full_name() if sender is not None else "",
        "company_name": lambda: settings.COMPANY_NAME,
    }


def render(body: str, *, candidate, job=None, sender=None) -> str:
    """`body` with every known field replaced.

    Raises MissingMergeValue for the first used field without a value, and KeyError for an
    unknown field (callers check `unknown_fields` first and refuse the body as a whole).
    """
    values = _values(candidate, job, sender)
    resolved: dict[str, str] = {}
    for name in used_fields(body):
        value = (values[name]() or "").strip()
        if not value:
            raise MissingMergeValue(name)
        resolved[name] = value
    return FIELD_PATTERN.sub(lambda match: resolved[match.group(1)], body)
