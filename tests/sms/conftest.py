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


@pytest.fixture
def quiet_hours(db):
    """The product's SMS policy as shipped: quiet hours on (08:00-20:00 in the candidate's
    time). Tests that use it move the clock explicitly (`now=`, or `travel`)."""
    from sms.models import SmsPolicy
    from sms.policy import remember_policy

    policy, _ = SmsPolicy.objects.update_or_create(pk=1, defaults={"quiet_hours_enabled": True})
    remember_policy(policy)
    return policy


@pytest.fixture
def travel():
    """Move the clock of this process (every thread: the live server, in-process tasks):
    `travel(datetime(2026, 12, 1, 13, 0, tzinfo=UTC))`; it keeps ticking from there."""
    import time_machine

    travellers = []

    def _travel(moment):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(moment, tick=True)
        traveller.start()
        travellers.append(traveller)

    yield _travel
    for traveller in travellers:
        traveller.stop()
