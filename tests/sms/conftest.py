"""Fixtures for the SMS pipeline tests: a candidate with a valid number, and a broker that is down
(`active_twilio` / `active_clicksend`, on the fake provider server, are in tests/conftest.py)."""

import socket

import pytest

from tests.factories import CandidateFactory
from tests.helpers.providers import CANDIDATE_PHONE


@pytest.fixture
def candidate(db):
    return CandidateFactory(first_name="Ada", last_name="Lovelace", phone=CANDIDATE_PHONE)


@pytest.fixture
def redis_down():
    """The broker is unreachable: publishing a task is refused at the network level."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"
