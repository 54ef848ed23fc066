"""Fixtures for the SMS UI tests: a candidate with a valid number (`active_twilio` is in
tests/conftest.py; tests/helpers/messages.py writes messages the way the pipeline leaves them)."""

import pytest

from tests.factories import CandidateFactory
from tests.helpers.providers import CANDIDATE_PHONE


@pytest.fixture
def candidate(db):
    return CandidateFactory(first_name="Ada", last_name="Lovelace", phone=CANDIDATE_PHONE)
