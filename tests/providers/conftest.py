"""Adapters configured with the fake server's accepted credentials, and payload fixtures."""

import json
from pathlib import Path

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

PAYLOADS = Path(__file__).resolve().parent / "payloads"
SENDER = "+61400000000"
RECIPIENT = "+61411111111"
WEBHOOK_TOKEN = "ZXlvdS1jYW5ub3QtZ3Vlc3MtdGhpcy10b2tlbi0xMjM0"
STATUS_CALLBACK = "https://nextal.example.com/webhooks/twilio/status/?message=42"


def payload(name: str):
    """A sanitized real payload from tests/providers/payloads/."""
    return json.loads((PAYLOADS / name).read_text())


@pytest.fixture
def twilio(fake_provider):
    return TwilioProvider(ProviderCredentials(TWILIO_SID, TWILIO_TOKEN, SENDER))


@pytest.fixture
def clicksend(fake_provider):
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
