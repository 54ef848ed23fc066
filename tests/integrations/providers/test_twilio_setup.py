"""Twilio account configuration against the fake: the sender check, the webhook read-back and
Connect webhooks, on the number or on the Messaging Service, with the exact requests made."""

import pytest

from integrations.providers.base import ProviderCredentials, SetupError, WebhookWiring
from integrations.providers.twilio import TwilioProvider
from tests.fakes.provider_server import TWILIO_SID, TWILIO_TOKEN

NUMBER = "+15005550006"
INBOUND_URL = "https://nextal.example.com/webhooks/twilio/inbound/"
ACCOUNT = f"/2010-04-01/Accounts/{TWILIO_SID}"
SERVICE = "MG" + "1" * 32


def twilio(**credentials) -> TwilioProvider:
    fields = {"phone_number": NUMBER, **credentials}
    return TwilioProvider(ProviderCredentials(TWILIO_SID, TWILIO_TOKEN, **fields))


def calls(fake) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in fake.requests]


# --- the sender check ----------------------------------------------------------------------------


def test_it_finds_the_number_on_the_account(fake_provider):
    fake_provider.add_twilio_number(NUMBER)

    check = twilio().check_sender()

    assert check.ok is True
    [request] = fake_provider.requests
    assert (request.method, request.path) == ("GET", f"{ACCOUNT}/IncomingPhoneNumbers.json")
    assert request.query["PhoneNumber"] == [NUMBER]
    assert request.auth == (TWILIO_SID, TWILIO_TOKEN)


def test_the_sender_check_runs_over_tls_with_the_configured_ca(fake_provider_tls):
    fake_provider_tls.add_twilio_number(NUMBER)

    assert twilio().check_sender().ok is True
    assert len(fake_provider_tls.requests) == 1


def test_the_sender_check_gives_up_after_the_check_timeout(fake_provider):
    """The fake answers after 30 s: the check's read timeout (3 s) gives up long before and
    says it was not verified (a check that waited would read the late, empty answer)."""
    fake_provider.queue("twilio.numbers", status=200, json={}, delay=30)

    check = twilio().check_sender()

    assert check.ok is None
    assert "did not answer in time" in check.message


def test_it_warns_with_what_to_do_when_the_number_is_not_on_the_account(fake_provider):
    fake_provider.add_twilio_number("+15005550009")

    check = twilio(phone_number="+15145550123").check_sender()

    assert check.ok is False
    assert "+1 514-555-0123 is not a number on this Twilio account" in check.message
    assert "Phone Numbers → Manage" in check.message


def test_it_warns_when_the_number_cannot_send_sms(fake_provider):
    fake_provider.add_twilio_number(NUMBER, capabilities={"voice": True, "sms": False})

    assert twilio().check_sender().ok is False


def test_a_messaging_service_is_checked_with_its_pool(fake_provider):
    pn = fake_provider.add_twilio_number(NUMBER)
    fake_provider.add_twilio_service("Recruiting", numbers=[pn], sid=SERVICE)

    check = twilio(messaging_service_sid=SERVICE).check_sender()

    assert (check.ok, check.in_pool) == (True, True)
    assert "Recruiting" in check.message
    assert calls(fake_provider) == [
        ("GET", f"/v1/Services/{SERVICE}"),
        ("GET", f"/v1/Services/{SERVICE}/PhoneNumbers"),
    ]


def test_a_number_outside_the_pool_is_a_warning_and_not_named_in_sends(fake_provider):
    other = fake_provider.add_twilio_number("+15005550009")
    fake_provider.add_twilio_service("Recruiting", numbers=[other], sid=SERVICE)

    check = twilio(messaging_service_sid=SERVICE).check_sender()

    assert (check.ok, check.in_pool) == (False, False)
    assert "not in Messaging Service Recruiting's sender pool" in check.message


def test_an_unknown_messaging_service_or_an_empty_pool_is_a_warning(fake_provider):
    assert "is not a Messaging Service" in (
        twilio(messaging_service_sid=SERVICE).check_sender().message
    )
    fake_provider.add_twilio_service("Empty", sid=SERVICE)
    check = twilio(messaging_service_sid=SERVICE).check_sender()
    assert check.ok is False
    assert "no phone numbers in its sender pool" in check.message


def test_an_unreachable_twilio_is_not_verified(settings, closed_port_url):
    settings.TWILIO_API_BASE_URL = closed_port_url

    check = twilio().check_sender()

    assert check.ok is None
    assert check.message.startswith("Not verified: Twilio could not be reached")


# --- webhooks on the number ----------------------------------------------------------------------


def test_connect_sets_the_numbers_sms_url_then_a_second_connect_changes_nothing(fake_provider):
    pn = fake_provider.add_twilio_number(NUMBER, sms_url="https://demo.twilio.com/welcome/sms/")

    before = twilio().webhook_status()
    assert before.state is WebhookWiring.ELSEWHERE
    assert "https://demo.twilio.com/welcome/sms/" in before.detail
    fake_provider.reset_requests()

    status = twilio().connect_webhooks()

    assert status.state is WebhookWiring.CONNECTED
    assert status.changes
    assert calls(fake_provider) == [
        ("GET", f"{ACCOUNT}/IncomingPhoneNumbers.json"),
        ("GET", "/v1/Services"),
        ("POST", f"{ACCOUNT}/IncomingPhoneNumbers/{pn}.json"),
        ("GET", f"{ACCOUNT}/IncomingPhoneNumbers.json"),
    ]
    update = fake_provider.requests_for("twilio.number_update")[0]
    assert update.form == {"SmsUrl": [INBOUND_URL], "SmsMethod": ["POST"]}
    assert fake_provider.twilio_numbers[pn]["sms_url"] == INBOUND_URL

    fake_provider.reset_requests()
    again = twilio().connect_webhooks()

    assert again.state is WebhookWiring.CONNECTED
    assert again.changes == ()
    assert [r for r in fake_provider.requests if r.method == "POST"] == []


def test_a_number_without_a_url_is_not_connected(fake_provider):
    fake_provider.add_twilio_number(NUMBER)

    assert twilio().webhook_status().state is WebhookWiring.NOT_CONNECTED


def test_a_twiml_app_on_the_number_is_reported_and_never_overwritten(fake_provider):
    app = "AP" + "2" * 32
    fake_provider.add_twilio_number(NUMBER, sms_application_sid=app)

    status = twilio().connect_webhooks()

    assert status.state is WebhookWiring.ELSEWHERE
    assert app in status.detail
    assert fake_provider.requests_for("twilio.number_update") == []


def test_a_number_not_on_the_account_cannot_be_connected(fake_provider):
    status = twilio().connect_webhooks()

    assert status.state is WebhookWiring.UNKNOWN
    assert "is not a number on this Twilio account" in status.detail
    assert [r for r in fake_provider.requests if r.method == "POST"] == []


# --- webhooks on a Messaging Service -------------------------------------------------------------


def test_a_number_that_sits_in_a_messaging_service_is_configured_on_the_service(fake_provider):
    pn = fake_provider.add_twilio_number(NUMBER, sms_url="https://old.example.org/sms")
    other = fake_provider.add_twilio_service("Marketing", sid="MG" + "9" * 32)
    fake_provider.add_twilio_service(
        "Recruiting", numbers=[pn], sid=SERVICE, use_inbound_webhook_on_number=False
    )

    status = twilio().connect_webhooks()

    assert status.state is WebhookWiring.CONNECTED
    assert "Messaging Service Recruiting" in status.detail
    assert calls(fake_provider) == [
        ("GET", f"{ACCOUNT}/IncomingPhoneNumbers.json"),
        ("GET", "/v1/Services"),
        ("GET", f"/v1/Services/{other}/PhoneNumbers/{pn}"),  # 404: not in that pool
        ("GET", f"/v1/Services/{SERVICE}/PhoneNumbers/{pn}"),
        ("POST", f"/v1/Services/{SERVICE}"),
        ("GET", f"/v1/Services/{SERVICE}"),
    ]
    update = fake_provider.requests_for("twilio.service_update")[0]
    assert update.form == {
        "InboundRequestUrl": [INBOUND_URL],
        "InboundMethod": ["POST"],
        "UseInboundWebhookOnNumber": ["false"],
    }
    # The number's own URL is left alone: the service's wins.
    assert fake_provider.twilio_numbers[pn]["sms_url"] == "https://old.example.org/sms"


def test_a_configured_messaging_service_is_connected_and_a_second_connect_changes_nothing(
    fake_provider,
):
    fake_provider.add_twilio_service(
        "Recruiting", sid=SERVICE, inbound_request_url="https://other.example.org/in"
    )
    provider = twilio(phone_number="", messaging_service_sid=SERVICE)

    assert provider.webhook_status().state is WebhookWiring.ELSEWHERE
    fake_provider.reset_requests()
    status = provider.connect_webhooks()

    assert status.state is WebhookWiring.CONNECTED
    assert calls(fake_provider) == [
        ("GET", f"/v1/Services/{SERVICE}"),
        ("POST", f"/v1/Services/{SERVICE}"),
        ("GET", f"/v1/Services/{SERVICE}"),
    ]
    assert fake_provider.twilio_services[SERVICE]["inbound_request_url"] == INBOUND_URL
    assert fake_provider.twilio_services[SERVICE]["use_inbound_webhook_on_number"] is False

    fake_provider.reset_requests()
    assert provider.connect_webhooks().changes == ()
    assert calls(fake_provider) == [("GET", f"/v1/Services/{SERVICE}")]


def test_a_service_letting_numbers_use_their_own_webhooks_points_elsewhere(fake_provider):
    fake_provider.add_twilio_service(
        "Recruiting",
        sid=SERVICE,
        inbound_request_url=INBOUND_URL,
        use_inbound_webhook_on_number=True,
    )

    status = twilio(messaging_service_sid=SERVICE).webhook_status()

    assert status.state is WebhookWiring.ELSEWHERE
    assert "each number's own webhook" in status.detail


def test_a_refusal_names_twilios_status_code_and_words(fake_provider):
    fake_provider.queue(
        "twilio.numbers",
        status=404,
        json={"code": 20404, "message": "The requested resource was not found"},
    )
    check = twilio().check_sender()
    assert check.ok is None
    assert check.message == (
        "Not verified: Twilio answered HTTP 404: The requested resource was not found"
    )


def test_rejected_credentials_are_a_setup_error(fake_provider):
    fake_provider.twilio_token = "rotated"

    with pytest.raises(SetupError, match="rejected the credentials"):
        twilio().connect_webhooks()


def test_an_unreadable_answer_is_a_setup_error_never_a_crash(fake_provider):
    fake_provider.queue(
        "twilio.numbers", body=b"<html>proxy</html>", headers={"Content-Type": "text/html"}
    )
    check = twilio().check_sender()
    assert (check.ok, check.message) == (None, "Not verified: Twilio's answer could not be read.")
    fake_provider.queue("twilio.numbers", json={"unexpected": 1, "other": 2})
    with pytest.raises(SetupError, match=r"^Twilio's answer could not be read\.$"):
        twilio().connect_webhooks()
    assert fake_provider.requests_for("twilio.number_update") == []


def test_credentials_in_a_webhook_url_elsewhere_are_never_shown(fake_provider):
    fake_provider.add_twilio_number(NUMBER, sms_url="https://crm:s3cr3t-pw@crm.example.org/sms")

    before = twilio().webhook_status()
    status = twilio().connect_webhooks()

    for text in (before.detail, *status.changes):
        assert "s3cr3t-pw" not in text and "crm:" not in text
    assert "https://…@crm.example.org/sms" in before.detail
