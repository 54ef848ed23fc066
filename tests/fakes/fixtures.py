"""pytest fixtures for the fake provider server (loaded by tests/conftest.py).

    def test_it_sends(fake_provider):           # settings already point at the fake
        fake_provider.queue_twilio_error(21211)
        ...
        assert fake_provider.sends_to("+61411111111") == 1

    def test_it_reports_refused(settings, closed_port_url):
        settings.TWILIO_API_BASE_URL = closed_port_url

Accepted credentials default to the constants below; set `fake_provider.twilio_token = ...`
(or `twilio_sid`, `clicksend_username`, `clicksend_api_key`) to change what the fake accepts.
See tests/fakes/provider_server.py for the whole API.
"""

import pytest

from tests.fakes.provider_server import (
    CLICKSEND_API_KEY,
    CLICKSEND_USERNAME,
    TWILIO_SID,
    TWILIO_TOKEN,
    FakeProviderServer,
)
from tests.fakes.provider_server import closed_port_url as free_closed_port_url

__all__ = [
    "CLICKSEND_API_KEY",
    "CLICKSEND_USERNAME",
    "TWILIO_SID",
    "TWILIO_TOKEN",
    "closed_port_url",
    "fake_provider",
    "fake_provider_tls",
]


@pytest.fixture
def fake_provider(settings):
    """A running fake Twilio + ClickSend API; TWILIO_/CLICKSEND_API_BASE_URL point at it."""
    with FakeProviderServer() as server:
        settings.TWILIO_API_BASE_URL = server.url
        settings.CLICKSEND_API_BASE_URL = server.url
        yield server


@pytest.fixture
def fake_provider_tls(settings):
    """The same fake over https, with a certificate of its own test CA, which the adapters
    trust through SMS_PROVIDER_CA_BUNDLE (set `settings.SMS_PROVIDER_CA_BUNDLE = ""` to see a
    handshake fail)."""
    with FakeProviderServer(tls=True) as server:
        settings.TWILIO_API_BASE_URL = server.url
        settings.CLICKSEND_API_BASE_URL = server.url
        settings.SMS_PROVIDER_CA_BUNDLE = server.ca_bundle
        yield server


@pytest.fixture
def closed_port_url():
    """A base URL where connecting is refused (nothing listens on the port)."""
    return free_closed_port_url()
