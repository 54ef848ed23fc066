"""Real services a test may need (PostgreSQL, Redis, Chromium): skip without them locally, fail
with CI=true, never a silent skip in CI."""

import os

import pytest


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required when CI=true)")
    pytest.skip(reason)
