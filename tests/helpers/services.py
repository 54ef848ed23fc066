"""Real services a test may need (PostgreSQL, Redis, Chromium): skip without them locally, fail
with CI=true, never a silent skip in CI."""

import os

import pytest


def in_ci() -> bool:
    """CI=true, CI=1, CI=True, CI=yes: how CI systems say it."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)
