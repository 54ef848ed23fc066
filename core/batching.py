"""Working through long id lists in pieces any database accepts."""

from __future__ import annotations

# Below SQLite's and PostgreSQL's limits on query parameters and comfortable for either.
BATCH_SIZE = 1000


def chunks(items: list, size: int = BATCH_SIZE):
    """Slices of `items` small enough for any database's limit on query parameters."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
