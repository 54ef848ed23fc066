"""The `<id:…>` path converter: a database id, at most 18 digits.

Django's `<int:…>` accepts any number of digits, so `/candidates/<5,000 digits>/` reached the
database and failed there (OverflowError on SQLite, out of range on PostgreSQL): a 500. Every
bigint id fits in 18 digits; a longer one is simply a URL that does not exist (404).
"""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


def register() -> None:
    register_converter(IdConverter, "id")


def id_or_none(value) -> int | None:
    """A posted or queried id as an int, or None for anything else ("abc", 5,000 digits, -1)."""
    text = str(value or "").strip()
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None
