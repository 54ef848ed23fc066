"""`{fill-in}` blanks: parts of a template the sender completes before it can go out
("See you on {interview day} at {time}"). Single braces around a short name; merge fields keep
their double braces. A body with a blank left is never sent: the composer asks for it, and a bulk
send needs each blank filled once for everyone first.
"""

from __future__ import annotations

import re

BLANK_PATTERN = re.compile(r"(?<!\{)\{([A-Za-z][A-Za-z0-9 _\-'’]{0,39})\}(?!\})")


def blanks(body: str) -> list[str]:
    """The blanks' names in `body`, in order of first appearance, each once."""
    return list(dict.fromkeys(name.strip() for name in BLANK_PATTERN.findall(body or "")))


def fill(body: str, values: dict[str, str]) -> str:
    """`body` with each blank named in `values` replaced by its (stripped) value."""

    def replace(match):
        value = (values.get(match.group(1).strip()) or "").strip()
        return value or match.group(0)

    return BLANK_PATTERN.sub(replace, body or "")


def unfilled_problem(body: str, *, bulk: bool = False) -> str | None:
    """Why `body` cannot be sent while blanks are left in it, or None."""
    left = blanks(body)
    if not left:
        return None
    names = ", ".join("{" + name + "}" for name in left)
    if bulk:
        return f"Fill in {names} once for everyone before sending."
    return f"Fill in {names} before sending: replace it with the actual text."
