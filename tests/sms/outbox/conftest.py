"""Fixtures for the outbox tests: a broker that is down, a candidate in Toronto."""

import socket

import pytest

from candidates import services


@pytest.fixture
def redis_down():
    """The broker is unreachable: publishing a task is refused at the network level."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def toronto(db):
    """A candidate whose number (+1 416) puts them in Toronto's time zone."""
    return services.create_candidate(
        first_name="Ada", last_name="Lovelace", phone="+1 416 555 0123", by=None
    )
