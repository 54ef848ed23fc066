"""Candidate trust in a real browser: a message written at night in the candidate's time is
held and goes out when the window opens there (the clock is moved, not waited for); a candidate
who says "please stop texting me" is refused everywhere, confirmed exactly once, and only their
START lifts it."""

import json
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from candidates import services
from integrations.models import Integration
from sms.models import Message, MessageStatus, OptOut, Thread
from sms.outbox.sweeper import sweep_outbox
from tests.factories import CandidateFactory
from tests.helpers.providers import CANDIDATE_PHONE, CLICKSEND_FROM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TORONTO_PHONE = "+14165550123"
NIGHT = datetime(2026, 12, 1, 2, 40, tzinfo=UTC)  # 21:40 in Toronto, Monday 30 Nov
OPENS = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)  # 08:00 Tuesday in Toronto


def test_a_message_written_at_night_in_the_candidates_time_waits_for_the_morning(
    page, login, screenshot, recruiter, quiet_hours, active_twilio, fake_provider, travel, settings
):
    # The clock jumps 10 hours while the page stays open: longer than the sign-in session's
    # idle timeout (8 h), which would sign the recruiter out.
    settings.SESSION_COOKIE_AGE = 24 * 3600
    ada = CandidateFactory(first_name="Ada", last_name="Lovelace", phone=TORONTO_PHONE)
    travel(NIGHT)
    login(recruiter)
    page.goto(f"/candidates/{ada.pk}/")
    area = page.locator("#messages-area")
    expect(area.locator(".sms-local-time")).to_contain_text(
        "Ada's local time: 21:40, America/Toronto, from the phone number"
    )
    expect(area.locator(".sms-hold-note")).to_have_text(
        "Quiet hours in Ada's time: a message sent now is held until 08:00 Tue."
    )
    area.get_by_label("Message", exact=True).fill("Hi Ada, can we talk tomorrow morning?")
    area.get_by_role("button", name="Send now").click()
    expect(area.get_by_role("status")).to_have_text(
        "Message to Ada Lovelace held for quiet hours — goes out 08:00 Tue (Ada's time)."
    )
    held = area.get_by_test_id("held-note")
    expect(held).to_have_text("Held for quiet hours — goes out 08:00 Tue (Ada's time)")
    expect(area.get_by_role("button", name="Cancel the held message")).to_be_visible()
    screenshot("trust-held-for-quiet-hours")
    message = Message.objects.get(direction="outbound")
    assert (message.status, message.next_attempt_at) == (MessageStatus.QUEUED, OPENS)
    assert fake_provider.sends_to(TORONTO_PHONE) == 0

    travel(OPENS - timedelta(minutes=1))
    sweep_outbox()  # beat's sweep, a minute early: nothing is due
    assert fake_provider.sends_to(TORONTO_PHONE) == 0
    travel(OPENS + timedelta(seconds=30))
    sweep_outbox()  # the window opened in Toronto: beat's next sweep dispatches it
    assert fake_provider.sends_to(TORONTO_PHONE) == 1
    sent = area.locator(".sms-outbound").last
    sent.get_by_text("Hi Ada, can we talk tomorrow morning?").wait_for()
    expect(sent.locator(".sms-status")).to_have_text("Sent", timeout=15_000)
    expect(area.get_by_test_id("held-note")).to_have_count(0)
    assert Message.objects.get(pk=message.pk).status == MessageStatus.SENT


def post_clicksend_inbound(base_url: str, body: str) -> int:
    """POST an inbound SMS to the live server's ClickSend webhook (the secret path token)."""
    token = Integration.objects.get(kind="clicksend").webhook_token
    fields = {
        "from": CANDIDATE_PHONE,
        "to": CLICKSEND_FROM,
        "body": body,
        "timestamp": 1775012927,
        "message_id": str(uuid.uuid4()).upper(),
        "custom_string": "",
    }
    request = urllib.request.Request(  # noqa: S310 - the live test server
        f"{base_url}/webhooks/clicksend/{token}/inbound/",
        data=json.dumps(fields).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status


def test_please_stop_texting_me_is_honoured_everywhere_until_the_candidate_says_start(
    page, login, screenshot, live_server, recruiter, active_clicksend, fake_provider
):
    ada = CandidateFactory(first_name="Ada", last_name="Lovelace", phone=CANDIDATE_PHONE)
    job = services.create_job(title="Site Reliability Engineer", recruiter=recruiter)
    other = CandidateFactory(first_name="Bo", last_name="Other", phone="+61411111113")
    for candidate in (ada, other):
        services.apply(candidate, job, by=recruiter)

    assert post_clicksend_inbound(live_server.url, "please stop texting me") == 200
    assert OptOut.objects.get(phone_number=CANDIDATE_PHONE).opted_out
    # ClickSend sends no confirmation of its own for API traffic: Nextal sends exactly one.
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1
    sent = fake_provider.requests_for("clicksend.send")[0].json["messages"][0]
    assert sent["body"] == (
        "Nextal: you are unsubscribed and will get no more texts from us. "
        "Reply START to resubscribe."
    )
    assert post_clicksend_inbound(live_server.url, "STOP") == 200  # already out: nothing new
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1

    login(recruiter)
    page.goto(f"/candidates/{ada.pk}/")
    area = page.locator("#messages-area")
    expect(area.get_by_test_id("opted-out-line")).to_contain_text(
        "Opted out — replied “please stop texting me” ("
    )
    expect(area.locator(".sms-blocked")).to_contain_text("Ada Lovelace opted out of SMS on")
    expect(area.get_by_label("Message", exact=True)).to_have_count(0)
    expect(page.get_by_test_id("consent-state")).to_contain_text("Opted out")
    screenshot("trust-opted-out-profile")

    thread = Thread.objects.get(candidate=ada)
    page.goto(f"/inbox/{thread.pk}/")
    pane = page.locator(f"#conversation-c{ada.pk}")
    expect(pane.get_by_test_id("opted-out-line")).to_contain_text(
        "Opted out — replied “please stop texting me”"
    )
    expect(pane.get_by_label("Message", exact=True)).to_have_count(0)

    page.goto(f"/jobs/{job.pk}/")
    for name in ("Ada Lovelace", "Bo Other"):
        page.get_by_label(f"Select {name}").check()
    page.get_by_role("button", name="Send SMS to 2 candidates").click()
    sidebar = page.get_by_role("dialog", name="Send SMS to 2 candidates")
    sidebar.get_by_label("Content").fill("Hi {{first_name}}, new roles this week.")
    sidebar.get_by_role("button", name="Preview").click()
    expect(sidebar.get_by_test_id("bulk-summary")).to_have_text(
        "1 will be sent, 1 skipped: 1 opted out"
    )
    expect(sidebar.get_by_test_id("skipped")).to_contain_text("Ada Lovelace opted out of SMS on")
    screenshot("trust-opted-out-bulk-preview")

    assert post_clicksend_inbound(live_server.url, "START") == 200
    assert not OptOut.objects.get(phone_number=CANDIDATE_PHONE).opted_out
    page.goto(f"/candidates/{ada.pk}/")
    expect(area.get_by_label("Message", exact=True)).to_be_visible()
    expect(page.get_by_test_id("consent-state")).to_contain_text("Consent on record")
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1  # still the one confirmation
