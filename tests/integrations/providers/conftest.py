"""Adapters configured with the fake server's accepted credentials, and the message they send."""

import pytest

from integrations.providers.base import OutboundSms, ProviderCredentials
from integrations.providers.clicksend import ClickSendProvider
from integrations.providers.twilio import TwilioProvider
from tests.fakes.provider_server import (
    CLICKSEND_API_KEY,
    CLICKSEND_USERNAME,
    TWILIO_SID,
    TWILIO_TOKEN,
)
from tests.integrations.providers.samples import RECIPIENT, SENDER, STATUS_CALLBACK, WEBHOOK_TOKEN


@pytest.fixture
def twilio_adapter(fake_provider):
    return TwilioProvider(ProviderCredentials(TWILIO_SID, TWILIO_TOKEN, SENDER))


@pytest.fixture
def clicksend_adapter(fake_provider):
    return ClickSendProvider(
        ProviderCredentials(CLICKSEND_USERNAME, CLICKSEND_API_KEY, SENDER, WEBHOOK_TOKEN)
    )


@pytest.fixture
def outbound():
    return OutboundSms(
        to=RECIPIENT,
        body="Hi Ada, are you free for a call on Tuesday?",
        sender=SENDER,
        reference="42",
        status_callback_url=STATUS_CALLBACK,
    )
