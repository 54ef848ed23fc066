"""What a new user sees on day one (issue 11), in a real browser: no horizontal overflow at
390×844 on the inbox, a profile and a board, and a console free of errors across the inbox,
profile, board and templates."""

import re

import pytest
from playwright.sync_api import expect

from sms.models import SmsTemplate
from tests.browser import sign_in
from tests.helpers.messages import add_message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def conversations(cards, recruiter):
    for name, application in cards.items():
        if application.candidate.phone:
            add_message(
                application.candidate,
                body=f"Hi, {name} here. Is the role remote, and what are the hours?",
                direction="inbound",
            )
            add_message(
                application.candidate,
                "failed",
                body="Yes, fully remote. Free on Monday for a call with the hiring manager?",
                sent_by=recruiter,
                provider="twilio",
                error_code="30003",
            )
    return cards


@pytest.fixture
def phone(browser, live_server, recruiter):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, recruiter)
    page.errors = errors
    yield page
    context.close()


def test_nothing_overflows_a_390_px_phone(phone, conversations, job, active_twilio):
    maya = conversations["Maya"]
    for path, ready in [
        ("/inbox/", phone.locator(".thread-row").first),
        (f"/inbox/{maya.candidate.sms_thread.pk}/", phone.locator(".sms-inbound").first),
        (f"/candidates/{maya.candidate_id}/", phone.locator("#messages-area")),
        (f"/jobs/{job.pk}/", phone.locator(".kcard").first),
    ]:
        phone.goto(path)
        expect(ready).to_be_visible()
        assert phone.evaluate(OVERFLOW) <= 0, f"{path} scrolls sideways"
        expect(phone.get_by_role("button", name="Log out")).to_be_in_viewport()
    # The inbox row's time and badge are on screen, not cut off.
    phone.goto("/inbox/")
    row = phone.locator(".thread-row").first
    expect(row.locator("time")).to_be_in_viewport()
    # The board's columns scroll inside the board, never the page.
    phone.goto(f"/jobs/{job.pk}/")
    board = phone.locator("#kanban")
    assert board.evaluate("el => el.scrollWidth > el.clientWidth")
    assert phone.evaluate(OVERFLOW) <= 0
    assert phone.errors == []


def test_the_console_stays_free_of_errors(
    page, login, administrator, conversations, job, active_twilio
):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    SmsTemplate.objects.create(name="Invite", body="Hi {{first_name}}, free on Monday?")
    maya = conversations["Maya"]
    login(administrator)  # everything a recruiter has, and the SMS Templates
    page.goto("/inbox/")
    page.locator(".thread-link").first.click()
    expect(page.locator("#inbox-pane .sms-inbound").first).to_be_visible()
    page.goto(f"/candidates/{maya.candidate_id}/")
    area = page.locator("#messages-area")
    area.get_by_label("Message", exact=True).fill("Hi {{first_name}}, about {{job_title}}")
    expect(area.locator(".sms-preview-bubble")).to_contain_text("Hi Maya, about")
    page.goto(f"/jobs/{job.pk}/")
    expect(page.locator(".kcard").first).to_be_visible()
    page.goto("/administration/sms-templates/")
    expect(page.get_by_text("Invite")).to_be_visible()
    page.wait_for_timeout(3500)  # one poll of each page's refresher would have logged by now
    assert errors == []


def test_keyboard_and_focus_rough_edges(page, login, recruiter, conversations, job, active_twilio):
    login(recruiter)
    page.goto(f"/jobs/{job.pk}/")
    checkbox = page.get_by_label("Select Maya Patel")
    checkbox.focus()
    ring = checkbox.evaluate(
        "el => getComputedStyle(el).outlineWidth + ' ' + getComputedStyle(el).outlineStyle"
    )
    assert ring == "2px solid"
    page.keyboard.press("Enter")  # toggles, never submits the bulk form
    expect(checkbox).to_be_checked()
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(checkbox).to_be_focused()

    page.goto("/inbox/")
    badge = page.locator("#nav-unread-badge .badge-unread, #nav-unread-badge").first
    expect(badge).to_be_visible()
    colors = page.locator(".badge-unread").first.evaluate(
        "el => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]"
    )
    assert contrast(*colors) >= 4.5
    links = page.locator(".thread-link")
    links.first.focus()
    page.keyboard.press("ArrowDown")
    expect(links.nth(1)).to_be_focused()
    page.keyboard.press("Enter")
    heading = page.locator("#conversation-title")
    expect(heading).to_be_visible()
    # The conversation names the tab, after the unread count when there is one (team inbox).
    title = re.escape(heading.text_content().strip()) + " · Inbox · Nextal$"
    expect(page).to_have_title(re.compile(r"^(\(\d+\) )?" + title))


def contrast(foreground: str, background: str) -> float:
    def luminance(css):
        parts = [int(p) for p in css[css.index("(") + 1 : css.index(")")].split(",")[:3]]
        channels = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
            for c in (p / 255 for p in parts)
        ]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
