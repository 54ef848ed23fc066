"""Contract: every request the Twilio adapter makes is valid under Twilio's OpenAPI descriptions.

The specs are in the repository (`tests/integrations/providers/specs/twilio_api_v2010.json` and
`twilio_messaging_v1.json`, trimmed to the paths Nextal calls; see the README there). A missing
spec fails these tests: a contract test that skips silently proves nothing.
"""

import dataclasses
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.validation.request.exceptions import (
    InvalidParameter,
    InvalidRequestBody,
    SecurityValidationError,
)
from werkzeug.datastructures import Headers, ImmutableMultiDict

from integrations.providers.base import ProviderCredentials
from integrations.providers.twilio import TwilioProvider
from tests.fakes.provider_server import TWILIO_SID, TWILIO_TOKEN, RecordedRequest

SPECS = Path(__file__).resolve().parent / "specs"
SPEC = SPECS / "twilio_api_v2010.json"
SPEC_SERVER = "https://api.twilio.com"
MESSAGING_SPEC = SPECS / "twilio_messaging_v1.json"
MESSAGING_SERVER = "https://messaging.twilio.com"
E164 = re.compile(r"^\+[1-9]\d{1,14}$")


def _is_uri(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def load_spec(path: Path) -> OpenAPI:
    assert path.is_file(), f"Twilio's OpenAPI spec is missing at {path}"
    # json, not OpenAPI.from_file_path: that reads through a YAML parser, which refuses the
    # spec's escaped emoji surrogate pairs ("\ud83d\udc4d").
    spec = json.loads(path.read_text())
    # The spec's own formats, checked as Prism checks them (jsonschema ignores unknown formats).
    formats = {
        "uri": _is_uri,
        "phone-number": lambda value: bool(E164.match(value)),
        "http-method": lambda value: value in ("GET", "POST"),
    }
    return OpenAPI.from_dict(spec, config=Config(extra_format_validators=formats))


@pytest.fixture(scope="module")
def twilio_spec():
    return load_spec(SPEC)


@pytest.fixture(scope="module")
def messaging_spec():
    return load_spec(MESSAGING_SPEC)


class RecordedOpenAPIRequest:
    """openapi-core's Request protocol over a request the fake server recorded, as if it had
    gone to the spec's server (only the path, query, headers and body matter)."""

    def __init__(self, recorded: RecordedRequest, host_url: str = SPEC_SERVER):
        self.host_url = host_url
        self.path = recorded.path
        self.method = recorded.method.lower()
        self.body = recorded.body or None
        self.content_type = recorded.headers.get("Content-Type", "")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(
                [(key, value) for key, values in recorded.query.items() for value in values]
            ),
            header=Headers(recorded.headers),
            cookie=ImmutableMultiDict(),
        )


def assert_valid(twilio_spec, recorded: RecordedRequest):
    twilio_spec.validate_request(RecordedOpenAPIRequest(recorded))


def assert_valid_messaging(messaging_spec, recorded: RecordedRequest):
    messaging_spec.validate_request(RecordedOpenAPIRequest(recorded, MESSAGING_SERVER))


def test_a_send_with_a_status_callback_matches_the_spec(
    twilio_spec, twilio_adapter, outbound, fake_provider
):
    twilio_adapter.send(outbound)
    [recorded] = fake_provider.requests
    assert recorded.field("StatusCallback")
    assert_valid(twilio_spec, recorded)


def test_a_send_without_a_status_callback_matches_the_spec(
    twilio_spec, twilio_adapter, outbound, fake_provider
):
    twilio_adapter.send(
        dataclasses.replace(outbound, status_callback_url=None, body="Ünïcödé ✓ " * 20)
    )
    assert_valid(twilio_spec, fake_provider.requests[0])


def test_the_credential_check_matches_the_spec(twilio_spec, twilio_adapter, fake_provider):
    twilio_adapter.check_credentials()
    [recorded] = fake_provider.requests
    assert recorded.method == "GET"
    assert_valid(twilio_spec, recorded)


# --- the contract test can fail ------------------------------------------------------------------


def _tampered(recorded: RecordedRequest, **changes) -> RecordedRequest:
    return dataclasses.replace(recorded, **changes)


@pytest.fixture
def recorded_send(twilio_adapter, outbound, fake_provider) -> RecordedRequest:
    twilio_adapter.send(outbound)
    return fake_provider.requests[0]


def test_it_rejects_a_send_without_to(twilio_spec, recorded_send):
    body = re.sub(rb"(^|&)To=[^&]*", b"", recorded_send.body).lstrip(b"&")
    with pytest.raises(InvalidRequestBody) as excinfo:
        assert_valid(twilio_spec, _tampered(recorded_send, body=body))
    assert "'To' is a required property" in str(excinfo.value.__cause__)


def test_it_rejects_a_malformed_account_sid(twilio_spec, recorded_send):
    path = re.sub(r"/Accounts/AC[0-9a-f]+/", "/Accounts/AC123/", recorded_send.path)
    with pytest.raises(InvalidParameter, match="AccountSid"):
        assert_valid(twilio_spec, _tampered(recorded_send, path=path))


def test_it_rejects_a_status_callback_that_is_not_a_uri(twilio_spec, recorded_send):
    body = re.sub(rb"StatusCallback=[^&]*", b"StatusCallback=not+a+url", recorded_send.body)
    with pytest.raises(InvalidRequestBody):
        assert_valid(twilio_spec, _tampered(recorded_send, body=body))


def test_it_rejects_a_recipient_that_is_not_e164(twilio_spec, recorded_send):
    body = re.sub(rb"To=[^&]*", b"To=0411111111", recorded_send.body)
    with pytest.raises(InvalidRequestBody):
        assert_valid(twilio_spec, _tampered(recorded_send, body=body))


def test_it_rejects_a_request_without_basic_auth(twilio_spec, recorded_send):
    headers = {k: v for k, v in recorded_send.headers.items() if k != "Authorization"}
    with pytest.raises(SecurityValidationError):
        assert_valid(twilio_spec, _tampered(recorded_send, headers=headers))


# --- account configuration: IncomingPhoneNumbers and Messaging Services --------------------------

SERVICE = "MG" + "1" * 32


def _configuration_requests(fake_provider) -> list[RecordedRequest]:
    """Every kind of configuration request the adapter makes: sender checks, read-backs and
    connects on a number, on a number inside a Messaging Service and on a named service."""
    number = "+15005550006"
    pn = fake_provider.add_twilio_number(number, sms_url="https://demo.twilio.com/welcome/sms/")
    credentials = ProviderCredentials(TWILIO_SID, TWILIO_TOKEN, number)
    TwilioProvider(credentials).check_sender()
    TwilioProvider(credentials).connect_webhooks()  # number: list, services, update, list
    fake_provider.add_twilio_service("Recruiting", numbers=[pn], sid=SERVICE)
    TwilioProvider(credentials).connect_webhooks()  # pool lookup, service update and fetch
    service = dataclasses.replace(credentials, messaging_service_sid=SERVICE)
    TwilioProvider(service).check_sender()  # service fetch, pool list
    return list(fake_provider.requests)


def test_every_configuration_request_matches_the_specs(twilio_spec, messaging_spec, fake_provider):
    recorded = _configuration_requests(fake_provider)
    routes = {r.route for r in recorded}
    assert routes == {
        "twilio.numbers",
        "twilio.number_update",
        "twilio.services",
        "twilio.pool_number",
        "twilio.service_update",
        "twilio.service",
        "twilio.pool",
    }
    for request in recorded:
        if request.path.startswith("/v1/"):
            assert_valid_messaging(messaging_spec, request)
        else:
            assert_valid(twilio_spec, request)


def test_a_send_through_a_messaging_service_matches_the_spec(twilio_spec, fake_provider, outbound):
    credentials = ProviderCredentials(
        TWILIO_SID, TWILIO_TOKEN, outbound.sender, messaging_service_sid=SERVICE
    )
    TwilioProvider(credentials).send(outbound)
    [recorded] = fake_provider.requests
    assert recorded.field("MessagingServiceSid") == SERVICE
    assert recorded.field("From") is None
    assert_valid(twilio_spec, recorded)


def test_it_rejects_a_malformed_messaging_service_sid(messaging_spec, fake_provider):
    fake_provider.add_twilio_service("Recruiting", sid=SERVICE)
    TwilioProvider(
        ProviderCredentials(TWILIO_SID, TWILIO_TOKEN, messaging_service_sid=SERVICE)
    ).webhook_status()
    [recorded] = fake_provider.requests
    tampered = _tampered(recorded, path=recorded.path.replace(SERVICE, "MG123"))
    with pytest.raises(InvalidParameter, match="Sid"):
        assert_valid_messaging(messaging_spec, tampered)


def test_it_rejects_a_number_update_whose_sms_url_is_not_a_uri(twilio_spec, fake_provider):
    fake_provider.add_twilio_number("+15005550006")
    TwilioProvider(ProviderCredentials(TWILIO_SID, TWILIO_TOKEN, "+15005550006")).connect_webhooks()
    [update] = fake_provider.requests_for("twilio.number_update")
    body = re.sub(rb"SmsUrl=[^&]*", b"SmsUrl=not+a+url", update.body)
    with pytest.raises(InvalidRequestBody):
        assert_valid(twilio_spec, _tampered(update, body=body))
