"""Fixtures for the SMS tests: the active provider, set up against the fake provider server, and
a candidate with a valid number."""

import pytest

from tests.factories import CandidateFactory
from tests.helpers.providers import CANDIDATE_PHONE, configure


@pytest.fixture
def active_twilio(db, fake_provider):
    """Twilio set up against the fake provider server, and the active provider."""
    return configure("twilio")


@pytest.fixture
def active_clicksend(db, fake_provider):
    """ClickSend set up against the fake provider server, and the active provider."""
    return configure("clicksend")


@pytest.fixture
def candidate(db):
    return CandidateFactory(first_name="Ada", last_name="Lovelace", phone=CANDIDATE_PHONE)
