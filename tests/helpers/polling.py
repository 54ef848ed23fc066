"""Waiting for something another process or thread does."""

import time
from collections.abc import Callable

import pytest


def wait_until(predicate: Callable[[], object], *, timeout: float, interval: float = 0.2, what=""):
    """Poll `predicate` until it returns something truthy (returned); fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what or predicate}")
        time.sleep(interval)
