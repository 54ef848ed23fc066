"""Fixtures for the Integrations tests: the provider rows with a number and an account id
(`twilio_row` and `clicksend_row`, the bare rows, are in tests/conftest.py)."""

import pytest

from tests.fakes.fixtures import CLICKSEND_USERNAME, TWILIO_SID
from tests.helpers.providers import CLICKSEND_PHONE, TWILIO_PHONE


@pytest.fixture
def configured_twilio(twilio_row):
    """Twilio's row with a number and an Account SID, not active."""
    twilio_row.phone_number = TWILIO_PHONE
    twilio_row.account_id = TWILIO_SID
    twilio_row.save()
    return twilio_row


@pytest.fixture
def configured_clicksend(clicksend_row):
    """ClickSend's row with a number and a username, not active."""
    clicksend_row.phone_number = CLICKSEND_PHONE
    clicksend_row.account_id = CLICKSEND_USERNAME
    clicksend_row.save()
    return clicksend_row
