"""Text as the database and the UI need it: no NUL characters, no lone surrogates, bounded
lengths, JSON that PostgreSQL accepts, one-line previews and quotes."""

from __future__ import annotations

import math
import re

# A UTF-16 surrogate on its own (JSON's "\ud83d" decodes to one): not UTF-8-encodable, so
# PostgreSQL and SQLite refuse it. A well-formed pair is already one character in Python.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT_CHARACTER = "\ufffd"


def clean(text, max_length: int | None = None) -> str:
    """Text safe for any column: PostgreSQL refuses NUL characters and every UTF-8 database a lone
    surrogate (shown as U+FFFD instead); varchar has a length."""
    text = str(text or "").replace("\x00", "")
    text = LONE_SURROGATE.sub(REPLACEMENT_CHARACTER, text)
    return text[:max_length] if max_length else text


def json_safe(value):
    """A provider payload as JSON PostgreSQL accepts (no NUL or lone surrogate, only JSON types)."""
    if isinstance(value, dict):
        return {clean(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # Python's json reads NaN/Infinity; PostgreSQL's json refuses them
    if value is None or isinstance(value, bool | int | float):
        return value
    return clean(value)


def preview(body: str) -> str:
    """The one-line excerpt a thread list shows."""
    return " ".join(body.split())[:160]


def quote(body: str, length: int = 120) -> str:
    """“Body”, shortened with an ellipsis, for timeline entries."""
    text = " ".join(body.split())
    return f"“{text[: length - 1]}…”" if len(text) > length else f"“{text}”"
