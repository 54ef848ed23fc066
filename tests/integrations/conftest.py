"""Fixtures for the Integrations tests: the two provider rows and configured variants."""

import pytest

from tests.fakes.fixtures import CLICKSEND_USERNAME, TWILIO_SID
from tests.helpers.providers import CLICKSEND_PHONE, TWILIO_PHONE, provider_row


@pytest.fixture
def twilio(db):
    return provider_row("twilio")


@pytest.fixture
def clicksend(db):
    return provider_row("clicksend")


@pytest.fixture
def configured_twilio(twilio):
    twilio.phone_number = TWILIO_PHONE
    twilio.account_id = TWILIO_SID
    twilio.save()
    return twilio


@pytest.fixture
def configured_clicksend(clicksend):
    clicksend.phone_number = CLICKSEND_PHONE
    clicksend.account_id = CLICKSEND_USERNAME
    clicksend.save()
    return clicksend
