"""The Auth Token / API Key never shows in reprs, error messages, exception chains or logs."""

import base64
import dataclasses
import logging
import traceback

import pytest

from integrations.providers.base import ProviderCredentials, ProviderError
from integrations.providers.clicksend import ClickSendProvider
from integrations.providers.twilio import TwilioProvider
from tests.fakes.provider_server import (
    CLICKSEND_API_KEY,
    CLICKSEND_USERNAME,
    TWILIO_SID,
    TWILIO_TOKEN,
)
from tests.integrations.providers.samples import WEBHOOK_TOKEN


def secret_forms(account_id: str, secret: str) -> list[str]:
    """The secret as itself and as it travels in an Authorization header."""
    basic = base64.b64encode(f"{account_id}:{secret}".encode()).decode()
    return [secret, basic, "Authorization"]


def test_reprs_show_the_account_but_neither_secret():
    credentials = ProviderCredentials(
        TWILIO_SID, TWILIO_TOKEN, "+61400000000", webhook_token=WEBHOOK_TOKEN
    )
    for text in (repr(credentials), repr(TwilioProvider(credentials)), str(credentials)):
        assert TWILIO_SID in text
        assert TWILIO_TOKEN not in text
        assert WEBHOOK_TOKEN not in text


def scenarios(fake_provider, settings, closed_port_url):
    """(name, callable) pairs exercising success and every failure path of both adapters."""

    def refused(attribute):
        def apply():
            setattr(settings, attribute, closed_port_url)

        return apply

    def read_timeout():
        settings.SMS_PROVIDER_READ_TIMEOUT = 0.3
        fake_provider.queue("twilio.send", delay=2)
        fake_provider.queue("clicksend.send", delay=2)

    return [
        ("accepted", lambda: None),
        ("twilio 21610", lambda: fake_provider.queue_twilio_error(21610)),
        ("twilio 429", lambda: fake_provider.queue_twilio_error(20429, status=429)),
        ("twilio 500", lambda: fake_provider.queue("twilio.send", status=500, body=b"oops")),
        ("clicksend rejected", lambda: fake_provider.queue_clicksend_rejected("THROTTLED")),
        ("clicksend 500", lambda: fake_provider.queue("clicksend.send", status=500, body=b"")),
        ("unparseable", lambda: fake_provider.queue_unparseable("twilio.send")),
        ("read timeout", read_timeout),
        ("wrong secret", lambda: setattr(fake_provider, "twilio_token", "rotated")),
        ("refused twilio", refused("TWILIO_API_BASE_URL")),
        ("refused clicksend", refused("CLICKSEND_API_BASE_URL")),
    ]


def test_no_outcome_leaks_a_secret_into_errors_or_logs(
    fake_provider, settings, closed_port_url, outbound, caplog
):
    # Everything at DEBUG, including loggers our settings quiet (twilio's logs headers).
    caplog.set_level(logging.DEBUG)
    for name in ("twilio.http_client", "urllib3", "clicksend", "sms"):
        caplog.set_level(logging.DEBUG, logger=name)
    twilio = TwilioProvider(ProviderCredentials(TWILIO_SID, TWILIO_TOKEN, "+61400000000"))
    clicksend = ClickSendProvider(
        ProviderCredentials(CLICKSEND_USERNAME, CLICKSEND_API_KEY, "+61400000000")
    )
    forbidden = secret_forms(TWILIO_SID, TWILIO_TOKEN) + secret_forms(
        CLICKSEND_USERNAME, CLICKSEND_API_KEY
    )
    original_urls = (settings.TWILIO_API_BASE_URL, settings.CLICKSEND_API_BASE_URL)
    errors: list[ProviderError] = []

    for _name, arrange in scenarios(fake_provider, settings, closed_port_url):
        fake_provider.reset()
        settings.TWILIO_API_BASE_URL, settings.CLICKSEND_API_BASE_URL = original_urls
        arrange()
        for provider in (twilio, clicksend):
            try:
                provider.send(dataclasses.replace(outbound))
            except ProviderError as error:
                errors.append(error)
            provider.check_credentials()

    assert len(errors) >= 12  # the scenarios really failed
    logger_names = {record.name for record in caplog.records}
    assert {"twilio.http_client", "urllib3.connectionpool"} <= logger_names  # they did log
    logged = caplog.text
    for error in errors:
        chain = "".join(traceback.format_exception(error))
        for secret in forbidden:
            assert secret not in error.message
            assert secret not in repr(error)
            assert secret not in chain
    for secret in forbidden:
        assert secret not in logged


@pytest.mark.parametrize("provider_class", [TwilioProvider, ClickSendProvider])
def test_credential_check_messages_hold_no_secret(fake_provider, provider_class):
    fake_provider.twilio_token = fake_provider.clicksend_api_key = "rotated"
    account_id = TWILIO_SID if provider_class is TwilioProvider else CLICKSEND_USERNAME

    check = provider_class(ProviderCredentials(account_id, "the-old-secret")).check_credentials()

    assert check.valid is False
    assert "the-old-secret" not in check.message
