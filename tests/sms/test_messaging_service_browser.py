"""In a real browser: activate Twilio with a Messaging Service SID, Connect webhooks, send; the
fake Twilio receives MessagingServiceSid, and a signed reply carrying MessagingServiceSid lands in
the candidate's conversation."""

from urllib.parse import urlencode

import pytest
import requests
from django.conf import settings
from playwright.sync_api import expect

from sms.models import Direction, Message
from tests.fakes.fixtures import TWILIO_SID, TWILIO_TOKEN
from tests.fakes.twilio_webhooks import inbound_params, signature
from tests.helpers.providers import CANDIDATE_PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMBER = "+15005550006"
POOL_NUMBER = "+15005550077"
SERVICE = "MG" + "7" * 32


def test_twilio_through_a_messaging_service_end_to_end(
    page, login, screenshot, live_server, administrator, twilio_row, candidate, fake_provider
):
    errors = []
    page.on("pageerror", lambda error: errors.append((page.url, error.stack)))
    pool = [fake_provider.add_twilio_number(n) for n in (NUMBER, POOL_NUMBER)]
    fake_provider.add_twilio_service("Recruiting", numbers=pool, sid=SERVICE)
    login(administrator)
    page.goto("/administration/integrations/")
    card = page.locator("#integration-twilio")

    card.get_by_role("link", name="Edit", exact=True).click()
    dialog = page.get_by_role("dialog", name="Twilio settings")
    dialog.get_by_label("Activate", exact=True).check()
    dialog.get_by_label("Phone Number").fill(NUMBER)
    dialog.get_by_label("Messaging Service SID").fill(SERVICE)
    dialog.get_by_label("Account SID", exact=True).fill(TWILIO_SID)
    dialog.get_by_role("button", name="Save").click()
    expect(card.get_by_test_id("messaging-service")).to_have_text(SERVICE)

    card.get_by_role("link", name="Edit Auth Token").click()
    dialog = page.get_by_role("dialog", name="Twilio Auth Token")
    dialog.get_by_label("Auth Token", exact=True).fill(TWILIO_TOKEN)
    dialog.get_by_role("button", name="Update Auth Token").click()
    expect(card.get_by_test_id("sender-check")).to_contain_text(
        "Messaging Service Recruiting found"
    )
    expect(card.get_by_test_id("webhook-state")).to_contain_text("Not connected")

    card.get_by_role("button", name="Connect webhooks").click()
    expect(page.locator("#messages")).to_contain_text("Twilio webhooks: connected.")
    expect(card.get_by_test_id("webhook-state")).to_contain_text("Connected")
    inbound_url = f"{settings.PUBLIC_BASE_URL}/webhooks/twilio/inbound/"
    assert fake_provider.twilio_services[SERVICE]["inbound_request_url"] == inbound_url
    assert fake_provider.twilio_services[SERVICE]["use_inbound_webhook_on_number"] is False
    screenshot("integrations-messaging-service")
    assert errors == []  # (the profile page's own htmx errors are not this test's subject)

    page.goto(f"/candidates/{candidate.pk}/")
    area = page.locator("#messages-area")
    area.get_by_label("Message").fill("Are you free on Monday?")
    area.get_by_role("button", name="Send now").click()
    area.locator(".sms-outbound").last.locator(".badge", has_text="Sent").wait_for(timeout=15_000)
    [send] = fake_provider.requests_for("twilio.send")
    assert send.field("MessagingServiceSid") == SERVICE
    assert send.field("From") == NUMBER  # in the pool, so it may be named

    # Twilio delivers the reply to a pool number through the service's URL.
    params = inbound_params(
        "SM" + "8" * 32, sender=CANDIDATE_PHONE, to=POOL_NUMBER, body="Monday works, thanks!"
    )
    params["MessagingServiceSid"] = SERVICE
    path = "/webhooks/twilio/inbound/"
    response = requests.post(
        live_server.url + path,
        data=urlencode(params),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature(settings.PUBLIC_BASE_URL + path, params),
        },
        timeout=10,
    )
    assert response.status_code == 200
    expect(area.get_by_text("Monday works, thanks!")).to_be_visible(timeout=15_000)
    reply = Message.objects.get(direction=Direction.INBOUND)
    assert reply.thread.candidate_id == candidate.pk
    screenshot("messaging-service-reply")
