"""Sending from the kanban board in a real browser: one card, several cards, a template."""

import pytest
from playwright.sync_api import expect

from sms.models import BulkSend, Message, MessageStatus, SmsTemplate
from tests.browser import sign_in

# The live server needs committed data (tests/conftest.py restores the role groups after flushes).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_board(page, login, recruiter, job):
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    login(recruiter)
    page.goto(f"/jobs/{job.pk}/")
    expect(page.get_by_role("heading", name="Senior Backend Engineer")).to_be_visible()
    return errors


def settle(page):
    """Let the sidebar finish sliding in (for screenshots)."""
    page.evaluate("Promise.all(document.getAnimations().map((a) => a.finished))")


def card(page, name):
    return page.locator(".kcard", has=page.get_by_role("link", name=name, exact=True))


def open_card_sidebar(page, name):
    card(page, name).get_by_label(f"Actions for {name}").click()
    card(page, name).get_by_role("link", name="Send SMS").click()
    sidebar = page.get_by_role("dialog", name="Send SMS")
    expect(sidebar).to_be_visible()
    return sidebar


def test_a_recruiter_texts_one_card_from_the_drawer_with_the_conversation_composer(
    page, login, screenshot, recruiter, job, active_twilio, fake_provider
):
    errors = open_board(page, login, recruiter, job)
    sidebar = open_card_sidebar(page, "Maya Patel")
    message = sidebar.get_by_label("Message", exact=True)
    expect(message).to_be_focused()
    expect(sidebar.get_by_text("+1 202-555-0101")).to_be_visible()
    message.fill("Hi {{first_name}}, are you free for a call on Monday?")
    # The preview and its counter are on the text Maya receives (49 characters), not the 57 typed.
    expect(sidebar.locator(".sms-preview-bubble")).to_have_text(
        "Hi Maya, are you free for a call on Monday?"
    )
    expect(sidebar.get_by_test_id("filled-in-counter")).to_have_text("43/160 · 1 segment")
    expect(sidebar.locator(".sms-counter")).to_be_hidden()
    expect(sidebar.get_by_text("Schedule…")).to_be_visible()
    settle(page)
    screenshot("kanban-sidebar")

    sidebar.get_by_role("button", name="Send now").click()
    expect(sidebar.get_by_role("status")).to_have_text("Message to Maya Patel sent.")
    expect(card(page, "Maya Patel").locator(".kcard-sms-text")).to_have_text(
        "Riley: Hi Maya, are you free for a call on Monday?"
    )
    expect(sidebar.locator(".sms-outbound").last).to_contain_text("Hi Maya, are you free")
    assert fake_provider.sends_to("+12025550101") == 1
    assert Message.objects.get().status == MessageStatus.SENT

    sidebar.get_by_role("button", name="Close").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert errors == []


def test_the_drawer_schedules_like_the_profile(page, login, recruiter, job, active_twilio):
    open_board(page, login, recruiter, job)
    sidebar = open_card_sidebar(page, "Jordan Brooks")
    sidebar.get_by_label("Message", exact=True).fill("See you tomorrow at 10!")
    sidebar.get_by_text("Schedule…").click()
    sidebar.get_by_role("button", name="Tomorrow 9:00").click()
    expect(sidebar.get_by_role("status")).to_contain_text("Message to Jordan Brooks scheduled for")
    expect(sidebar.locator(".sms-scheduled-item")).to_contain_text("See you tomorrow at 10!")
    message = Message.objects.get()
    assert message.scheduled_for is not None and message.status == MessageStatus.QUEUED
    # Not the card's last message until it goes out.
    expect(card(page, "Jordan Brooks").locator(".kcard-sms")).to_have_count(0)


def test_the_drawer_shows_a_refusal_inline(page, login, recruiter, job, active_twilio):
    open_board(page, login, recruiter, job)
    sidebar = open_card_sidebar(page, "Jordan Brooks")
    sidebar.get_by_label("Message", exact=True).fill("Hi {{frist_name}}")
    sidebar.get_by_role("button", name="Send now").click()
    expect(sidebar.locator(".errorlist")).to_contain_text("Unknown merge field {{frist_name}}")
    expect(sidebar.get_by_label("Message", exact=True)).to_have_value("Hi {{frist_name}}")
    assert not Message.objects.exists()


def test_a_recruiter_texts_several_cards_at_once(
    page, login, screenshot, recruiter, job, active_twilio, opted_out, fake_provider
):
    errors = open_board(page, login, recruiter, job)
    for name in ("Maya Patel", "Jordan Brooks", "Olga Optout"):
        card(page, name).get_by_label(f"Select {name}").check()
    page.get_by_role("button", name="Send SMS to 3 candidates").click()
    sidebar = page.get_by_role("dialog", name="Send SMS to 3 candidates")
    expect(sidebar).to_be_visible()
    sidebar.get_by_label("Content").fill(
        "Hi {{first_name}}, the {{job_title}} interviews start soon."
    )
    sidebar.get_by_role("button", name="Preview").click()

    expect(sidebar.get_by_test_id("bulk-summary")).to_have_text(
        "2 will be sent, 1 skipped: 1 opted out"
    )
    expect(sidebar.get_by_test_id("skipped")).to_contain_text("Olga Optout opted out of SMS on")
    expect(sidebar.locator(".phone-bubble")).to_have_text(
        "Hi Maya, the Senior Backend Engineer interviews start soon."
    )
    settle(page)
    screenshot("kanban-bulk-preview")

    sidebar.get_by_role("button", name="Send 2 messages").click()
    expect(sidebar.get_by_test_id("count-sent")).to_have_text("2", timeout=15_000)
    expect(sidebar.get_by_test_id("count-queued")).to_have_text("0")
    expect(sidebar.locator("[hx-trigger]")).to_have_count(0)  # nothing in flight: polling stopped
    expect(card(page, "Jordan Brooks").locator(".kcard-sms-text")).to_have_text(
        "Riley: Hi Jordan, the Senior Backend Engineer interviews start soon."
    )
    screenshot("kanban-bulk-progress")

    bulk = BulkSend.objects.get()
    assert bulk.queued_count == 2
    assert [
        fake_provider.sends_to(n) for n in ("+12025550101", "+12025550102", "+12025550104")
    ] == [1, 1, 0]
    assert errors == []


def test_a_template_with_merge_fields_is_used_from_the_sidebar(
    page, login, recruiter, job, active_twilio, fake_provider
):
    SmsTemplate.objects.create(
        name="Interview invite",
        body="Hi {{first_name}}, can we talk about {{job_title}} on Monday?",
    )
    SmsTemplate.objects.create(name="Retired", body="Old", is_active=False)
    open_board(page, login, recruiter, job)
    sidebar = open_card_sidebar(page, "Sofia Ramirez")
    sidebar.get_by_role("radio", name="Template").check()
    picker = sidebar.get_by_role("combobox", name="Which template")
    assert picker.locator("option").all_inner_texts() == ["Choose a template…", "Interview invite"]
    picker.select_option(label="Interview invite")
    content = sidebar.get_by_label("Message", exact=True)
    expect(content).to_have_value("Hi {{first_name}}, can we talk about {{job_title}} on Monday?")
    content.press("End")
    content.type(" 10am?")
    sidebar.get_by_role("button", name="Send now").click()
    expect(sidebar.get_by_role("status")).to_have_text("Message to Sofia Ramirez sent.")

    sent = fake_provider.requests_for("twilio.send")
    assert [request.form["Body"] for request in sent] == [
        ["Hi Sofia, can we talk about Senior Backend Engineer on Monday? 10am?"]
    ]
    assert Message.objects.get().template.name == "Interview invite"


def test_with_no_provider_the_sidebar_explains_why(page, login, recruiter, job):
    open_board(page, login, recruiter, job)
    sidebar = open_card_sidebar(page, "Maya Patel")
    expect(sidebar.get_by_role("note")).to_contain_text(
        "SMS is turned off. Ask an administrator to activate Twilio or ClickSend."
    )
    expect(sidebar.get_by_role("button", name="Send now")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_without_javascript_the_card_menu_leads_to_a_send_page(
    page_without_js, recruiter, job, active_twilio, fake_provider
):
    page = page_without_js
    sign_in(page, recruiter)
    page.goto(f"/jobs/{job.pk}/")
    maya = card(page, "Maya Patel")
    maya.get_by_label("Actions for Maya Patel").click()  # the card's page: Move to… and Send SMS
    expect(page.get_by_role("heading", name="Move Maya Patel")).to_be_visible()
    page.get_by_role("link", name="Send SMS").click()
    expect(page.get_by_role("heading", name="Send SMS")).to_be_visible()
    page.get_by_label("Message", exact=True).fill(
        "Hi {{first_name}}, quick question about your notice period."
    )
    page.get_by_role("button", name="Send now").click()
    expect(page.locator("#messages")).to_contain_text("Message to Maya Patel sent.")
    expect(page.get_by_role("heading", name="Senior Backend Engineer")).to_be_visible()
    assert fake_provider.sends_to("+12025550101") == 1
