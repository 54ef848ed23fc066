"""Fixtures for the SMS UI tests: a configured provider on the fake server and a candidate with a
valid number (tests/helpers/messages.py writes messages the way the pipeline leaves them)."""

import pytest

from tests.factories import CandidateFactory
from tests.helpers.providers import CANDIDATE_PHONE, configure


@pytest.fixture
def twilio(db, fake_provider):
    return configure("twilio")


@pytest.fixture
def candidate(db):
    return CandidateFactory(first_name="Ada", last_name="Lovelace", phone=CANDIDATE_PHONE)
