"""Fixtures for the SMS pipeline tests: configured providers pointing at the fake server, and
candidates with valid numbers."""

import socket

import pytest

from tests.factories import CandidateFactory
from tests.helpers.providers import CANDIDATE_PHONE, configure


@pytest.fixture
def twilio(db, fake_provider):
    return configure("twilio")


@pytest.fixture
def clicksend(db, fake_provider):
    return configure("clicksend")


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
