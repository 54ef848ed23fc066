"""The one set of rules an SMS body must pass, wherever it is written (composer, board, bulk,
template editor). Checked on the text as typed; the length is checked again once merge fields
are filled in, because that is what the candidate receives."""

from __future__ import annotations

import re

from sms.text import fill_ins, merge

MAX_BODY_CHARS = 1600
EMPTY_BODY = "Write a message before sending."

# Braces left over once every well-formed field is taken out: "{{first name}}", "{first_name}".
STRAY_BRACES = re.compile(r"\{\{?[^{}]*\}?\}")


def length_problem(text: str) -> str | None:
    if len(text) > MAX_BODY_CHARS:
        return f"The message is {len(text):,} characters long; the limit is {MAX_BODY_CHARS:,}."
    return None


def body_problems(body: str, *, template: bool = False, check_length: bool = True) -> list[str]:
    """Why `body` cannot be sent (or, with `template`, saved as a template); [] when it can.

    A recruiter is told to check the spelling of an unknown merge field; a template author gets
    the list of fields, and stray braces ("{first_name}") are refused in templates only (free
    text may contain braces; `{interview time}` is a blank, `sms.text.fill_ins`).
    `check_length=False` when the caller checks the filled-in text.
    """
    text = (body or "").strip()
    if not text:
        return [EMPTY_BODY]
    problems = []
    unknown = merge.unknown_fields(text)
    if unknown:
        names = ", ".join("{{" + name + "}}" for name in unknown)
        noun = "field" if len(unknown) == 1 else "fields"
        hint = f"Use one of: {merge.field_list()}." if template else "Check the spelling."
        problems.append(f"Unknown merge {noun} {names}. {hint}")
    if template:
        # Single braces around a name are a blank to fill in ({interview time}), unless the
        # name is a merge field's: then double braces were meant.
        without_fields = merge.FIELD_PATTERN.sub("", text)
        without_blanks = fill_ins.BLANK_PATTERN.sub(
            lambda m: m.group(0) if m.group(1).strip() in merge.FIELDS else "", without_fields
        )
        stray = STRAY_BRACES.search(without_blanks)
        if stray:
            problems.append(
                f"“{stray.group(0)}” is not a merge field. Write merge fields with double braces "
                "and no spaces in the name, e.g. {{first_name}}."
            )
    if check_length:
        too_long = length_problem(body)
        if too_long:
            problems.append(too_long)
    return problems
