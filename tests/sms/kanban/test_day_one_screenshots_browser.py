"""Screenshots for reviewers of what issue 11 changed: the drawer composer and the phone-sized
inbox (`test-artifacts/day-one-<name>-<SCREENSHOT_TAG>.png`; the "before" shots were taken from
main before the change with SCREENSHOT_TAG=before)."""

import os

import pytest
from playwright.sync_api import expect

from tests.browser import ARTIFACTS
from tests.helpers.messages import add_message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAG = os.environ.get("SCREENSHOT_TAG", "after")


def _save(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("Promise.all(document.getAnimations().map((a) => a.finished))")
    page.screenshot(path=str(ARTIFACTS / f"day-one-{name}-{TAG}.png"), full_page=False)


def test_drawer_composer_screenshot(page, login, recruiter, job, active_twilio):
    login(recruiter)
    page.goto(f"/jobs/{job.pk}/")
    card = page.locator(".kcard", has=page.get_by_role("link", name="Maya Patel", exact=True))
    card.get_by_label("Actions for Maya Patel").click()
    card.get_by_role("link", name="Send SMS").click()
    sidebar = page.get_by_role("dialog", name="Send SMS")
    expect(sidebar).to_be_visible()
    sidebar.locator("textarea").first.fill("Hi {{first_name}}, are you free for a call on Monday?")
    if TAG == "after":  # the drawer's composer previews the filled-in text since issue 11
        expect(sidebar.locator(".sms-preview-bubble")).to_contain_text("Hi Maya")
    _save(page, "drawer-composer")
    assert sidebar.locator("textarea").first.input_value().startswith("Hi ")


def test_phone_inbox_screenshot(browser, live_server, recruiter, cards, active_twilio):
    for name, application in cards.items():
        if application.candidate.phone:
            add_message(
                application.candidate,
                body=f"Hi, {name} here, is the role remote?",
                direction="inbound",
            )
            add_message(
                application.candidate, body="Yes, fully remote. Free on Monday?", sent_by=recruiter
            )
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    from tests.browser import sign_in

    sign_in(page, recruiter)
    page.goto("/inbox/")
    expect(page.get_by_text("Maya Patel").first).to_be_visible()
    _save(page, "phone-inbox")
    context.close()
