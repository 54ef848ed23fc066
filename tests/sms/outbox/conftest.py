"""Fixtures for the outbox tests: a broker that is down."""

import socket

import pytest


@pytest.fixture
def redis_down():
    """The broker is unreachable: publishing a task is refused at the network level."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"
