"""The conversation, the composer and the inbox in a real browser (Debian's Chromium).

Sends go through the real pipeline in-process (tasks run after commit) against the fake provider
server; inbound replies are posted, signed, to the real Twilio webhook of the live server.
"""

import json
import re
import secrets
import urllib.request
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sms.models import Message, MessageStatus, OptOut, SmsTemplate, Thread
from tests.factories import ApplicationFactory, CandidateFactory, JobFactory
from tests.fakes.twilio_webhooks import inbound_params, signature
from tests.helpers.messages import add_message
from tests.helpers.polling import wait_until
from tests.helpers.providers import CANDIDATE_PHONE, TWILIO_FROM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),  # the live server is another thread
]

VECTORS = Path(__file__).resolve().parent.parent / "text" / "segment_vectors.json"


def post_twilio_inbound(base_url: str, sender: str, body: str) -> int:
    """POST an inbound SMS to the live server's Twilio webhook, signed as Twilio signs it."""
    path = "/webhooks/twilio/inbound/"
    message_id = "SM" + secrets.token_hex(16)
    fields = inbound_params(message_id, sender=sender, to=TWILIO_FROM, body=body)
    signed = signature(base_url + path, fields)
    request = urllib.request.Request(  # noqa: S310 - the live test server
        base_url + path,
        data=urlencode(fields).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signed,
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status


def test_a_recruiter_sends_from_the_profile(
    page, login, screenshot, recruiter, candidate, active_twilio, fake_provider
):
    add_message(candidate, body="Hi! Is the role remote?", direction="inbound")
    login(recruiter)
    page.goto(f"/candidates/{candidate.pk}/")
    area = page.locator("#messages-area")
    message = area.get_by_label("Message", exact=True)
    message.fill("Yes, fully remote. Free for a call on Monday?")
    expect(area.locator(".sms-counter")).to_have_text("45/160 · 1 segment")
    area.get_by_role("button", name="Send now").click()
    sent = area.locator(".sms-outbound").last
    expect(sent).to_contain_text("Yes, fully remote")
    # Sent in-process after commit; the conversation refreshes itself until the status shows.
    expect(sent.locator(".sms-status")).to_have_text("Sent", timeout=15_000)
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1
    assert Message.objects.get(direction="outbound").status == MessageStatus.SENT
    expect(area.get_by_label("Message", exact=True)).to_have_value("")
    expect(area.get_by_role("status")).to_contain_text("Message to Ada Lovelace sent.")
    screenshot("profile-conversation")
    page.reload()
    expect(page.locator(".timeline")).to_contain_text(
        "SMS sent by Riley Recruiter: “Yes, fully remote. Free for a call on Monday?”"
    )


def test_an_inbound_reply_appears_in_the_open_inbox_conversation(
    page, login, screenshot, recruiter, candidate, active_twilio, live_server, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    for n in range(30):  # longer than the pane: it scrolls, the composer stays in view
        add_message(
            candidate, body=f"Earlier message {n}", direction="inbound" if n % 2 else "outbound"
        )
    add_message(candidate, body="Thanks for applying! Are you free on Tuesday?", sent_by=recruiter)
    Thread.objects.filter(candidate=candidate).update(unread_count=0)
    others = [
        CandidateFactory(first_name="Grace", last_name="Hopper"),
        CandidateFactory(first_name="Alan", last_name="Turing"),
    ]
    add_message(others[0], body="Could we move it to 3pm?", direction="inbound")
    add_message(
        others[1], "failed", body="Reminder: interview tomorrow", error_message="Unreachable"
    )
    Thread.objects.filter(candidate=others[0]).update(unread_count=1)
    Thread.objects.create(
        phone_number="+61400000999", last_message_preview="Who is this?", unread_count=1
    )
    thread = Thread.objects.get(candidate=candidate)
    login(recruiter)
    page.goto("/inbox/")
    expect(page.locator("#nav-unread-badge")).to_contain_text("2")
    page.locator(f"#thread-row-{thread.pk} .thread-link").click()
    pane = page.locator("#inbox-pane")
    expect(pane.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/inbox/{thread.pk}/$"))

    assert post_twilio_inbound(live_server.url, CANDIDATE_PHONE, "Tuesday works, 10am?") == 200
    reply = pane.locator(".sms-inbound", has_text="Tuesday works, 10am?")
    expect(reply).to_be_visible(timeout=10_000)  # no reload: the conversation polls
    expect(reply).to_be_in_viewport()  # kept scrolled to the newest message
    # Screen readers hear it (conversation.js keyed its scroll state by id in a WeakMap, which
    # threw on every refresh, so this never fired).
    expect(pane.locator("[data-conversation-announcer]")).to_have_text(
        "New message: Ada Lovelace: Tuesday works, 10am?"
    )
    expect(pane.get_by_role("button", name="Send now")).to_be_in_viewport()
    # The list moved the thread to the top with the reply as its preview; it is being read.
    expect(page.locator(".thread-row").first).to_contain_text("Tuesday works, 10am?")
    # The refreshed conversation marks the reply read (a POST once it is shown).
    wait_until(lambda: Thread.objects.get(pk=thread.pk).unread_count == 0, timeout=10, what="read")
    screenshot("inbox")
    page.get_by_role("link", name="View profile").click()
    expect(page.locator(".timeline")).to_contain_text("SMS received: “Tuesday works, 10am?”")


def test_a_template_with_merge_fields_is_used_from_the_composer(
    page, login, recruiter, candidate, active_twilio, fake_provider
):
    ApplicationFactory(candidate=candidate, job=JobFactory(title="Data Engineer"))
    SmsTemplate.objects.create(
        name="Interview invite", body="Hi {{first_name}}, can we talk about the {{job_title}} role?"
    )
    SmsTemplate.objects.create(name="Retired", body="Old text", is_active=False)
    login(recruiter)
    page.goto(f"/candidates/{candidate.pk}/")
    area = page.locator("#messages-area")
    area.get_by_role("radio", name="Template").check()
    picker = area.get_by_label("Which template")
    expect(picker.locator("option")).to_have_text(["Choose a template…", "Interview invite"])
    picker.select_option(label="Interview invite")
    message = area.get_by_label("Message", exact=True)
    expect(message).to_have_value("Hi {{first_name}}, can we talk about the {{job_title}} role?")
    expect(area.locator(".sms-preview-bubble")).to_have_text(
        "Hi Ada, can we talk about the Data Engineer role?"
    )
    message.press("End")
    message.type(" 🙂")
    expect(area.locator(".sms-counter")).to_contain_text("UCS-2 because of “🙂”")
    message.press("Control+Enter")
    sent = area.locator(".sms-outbound").last
    expect(sent).to_contain_text("Hi Ada, can we talk about the Data Engineer role? 🙂")
    expect(sent.locator(".sms-tag", has_text="Interview invite")).to_be_visible()
    message = Message.objects.get(direction="outbound")
    assert message.template.name == "Interview invite"
    assert message.body == "Hi Ada, can we talk about the Data Engineer role? 🙂"


def test_the_composer_explains_a_missing_provider(page, login, screenshot, recruiter, candidate):
    login(recruiter)
    page.goto(f"/candidates/{candidate.pk}/")
    area = page.locator("#messages-area")
    expect(area.get_by_role("note")).to_contain_text(
        "SMS is turned off. Ask an administrator to activate Twilio or ClickSend."
    )
    expect(area.get_by_role("button", name="Send now")).to_have_count(0)
    expect(page.get_by_role("button", name="Send SMS")).to_be_disabled()
    expect(page.locator(".profile-header")).to_contain_text("SMS is off")
    screenshot("profile-conversation-sms-off")


def test_the_composer_explains_an_opt_out(
    page, login, screenshot, recruiter, candidate, active_twilio
):
    OptOut.objects.create(
        phone_number=CANDIDATE_PHONE,
        source="keyword",
        detail="STOP",
        changed_at=timezone.now() - timedelta(days=2),
    )
    add_message(candidate, body="STOP", direction="inbound")
    login(recruiter)
    page.goto(f"/candidates/{candidate.pk}/")
    area = page.locator("#messages-area")
    note = area.get_by_role("note")
    expect(note).to_contain_text("Ada Lovelace opted out of SMS on")
    expect(note).to_contain_text("(replied STOP)")
    when = timezone.localtime(timezone.now() - timedelta(days=2))
    expect(note.locator(".badge")).to_have_text(f"Opted out · {when:%b} {when.day}, {when.year}")
    expect(area.get_by_role("button", name="Send now")).to_have_count(0)
    screenshot("profile-conversation-opted-out")


def test_scheduling_and_canceling_from_the_composer(
    page, login, recruiter, candidate, active_twilio
):
    login(recruiter)
    page.goto(f"/candidates/{candidate.pk}/")
    area = page.locator("#messages-area")
    area.get_by_label("Message", exact=True).fill("Reminder: interview tomorrow at 10")
    area.get_by_text("Schedule…").click()
    later = timezone.localtime() + timedelta(days=1)
    area.get_by_label("Send at").fill(later.strftime("%Y-%m-%dT%H:%M"))
    area.get_by_role("button", name="Schedule", exact=True).click()
    scheduled = area.locator(".sms-scheduled")
    expect(scheduled).to_contain_text("Reminder: interview tomorrow at 10")
    message = Message.objects.get()
    assert message.status == MessageStatus.QUEUED and message.scheduled_for is not None
    scheduled.get_by_role("button", name=re.compile("^Cancel the message scheduled")).click()
    expect(area.locator(".sms-scheduled")).to_have_count(0)
    expect(area.locator(".sms-status-canceled")).to_contain_text("Canceled by Riley Recruiter")
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELED


def test_the_counter_matches_every_shared_vector(page, login, recruiter, candidate, active_twilio):
    vectors = json.loads(VECTORS.read_text())["vectors"]
    login(recruiter)
    page.goto(f"/candidates/{candidate.pk}/")
    results = page.evaluate(
        "(bodies) => bodies.map((body) => window.NextalSms.measure(body))",
        [vector["body"] for vector in vectors],
    )
    assert len(results) == len(vectors)
    for vector, result in zip(vectors, results, strict=True):
        expected = {
            "encoding": vector["encoding"],
            "length": vector["length"],
            "segments": vector["segments"],
            "perSegment": vector["per_segment"],
            "ucs2Char": vector["first_ucs2_char"],
        }
        assert {key: result[key] for key in expected} == expected, vector["name"]
        assert result["limit"] == max(vector["segments"], 1) * vector["per_segment"]
        assert result["remaining"] == max(result["limit"] - vector["length"], 0)


def test_inbox_filters_search_and_the_single_pane_on_mobile(page, login, recruiter, candidate):
    add_message(candidate, body="Tuesday works", direction="inbound")
    Thread.objects.filter(candidate=candidate).update(unread_count=0)
    grace = CandidateFactory(first_name="Grace", last_name="Hopper")
    add_message(grace, body="Could we move it to 3pm?", direction="inbound")
    Thread.objects.filter(candidate=grace).update(unread_count=1)
    Thread.objects.create(phone_number="+61400000999", last_message_preview="Who is this?")
    login(recruiter)
    page.goto("/inbox/")
    names = page.locator(".thread-name")
    expect(names).to_have_count(3)
    page.get_by_role("link", name=re.compile("^Unread")).click()
    expect(names).to_have_text(["Grace Hopper"])
    expect(page).to_have_url(re.compile(r"/inbox/\?show=unread$"))
    page.get_by_label("Search conversations").fill("lovelace")
    expect(page.locator(".thread-list-empty")).to_contain_text("No conversations match")
    page.get_by_role("link", name="All", exact=True).click()
    expect(names).to_have_text(["Ada Lovelace"])  # the search is kept across filters
    page.get_by_label("Search conversations").fill("3pm")
    expect(names).to_have_text(["Grace Hopper"])

    page.set_viewport_size({"width": 390, "height": 800})
    expect(page.locator(".inbox-pane")).to_be_hidden()
    page.get_by_role("link", name=re.compile("Grace Hopper")).click()
    expect(page.get_by_role("heading", name="Grace Hopper")).to_be_visible()
    expect(page.locator(".inbox-sidebar")).to_be_hidden()
    page.get_by_role("link", name="← Inbox").click()
    expect(page.locator(".inbox-sidebar")).to_be_visible()
    expect(names).to_have_text(["Grace Hopper"])
