"""Overlays (dialogs and drawers) and flash messages, shared by every page through app.js.

app.js keeps focus inside an open overlay, returns it to the control that opened it, and exposes
window.Nextal: the flash messages, overlays and template prefill the board (kanban.js,
kanban_sms.js) and the conversation (conversation.js) use instead of copies of their own.
"""

import pytest
from playwright.sync_api import expect

from tests.factories import ApplicationFactory, JobFactory

pytestmark = pytest.mark.browser

NEXTAL_API = """() => ({
  flash: typeof Nextal.flash,
  overlay: Object.keys(Nextal.overlay).sort(),
  prefillFromTemplate: typeof Nextal.prefillFromTemplate,
})"""

# Elements with an inline event handler attribute (onclick=…): a strict CSP forbids them.
INLINE_HANDLERS = """() => Array.from(document.querySelectorAll("*")).flatMap((el) =>
  Array.from(el.attributes)
    .filter((attribute) => attribute.name.startsWith("on"))
    .map((attribute) => el.tagName.toLowerCase() + "[" + attribute.name + "]"))"""


def maya_on_a_board():
    job = JobFactory(title="Focus Engineer")
    return ApplicationFactory(job=job, candidate__first_name="Maya", candidate__last_name="Patel")


def open_board(page, login, user):
    application = maya_on_a_board()
    login(user)
    page.goto(f"/jobs/{application.job.pk}/")
    return application


def test_tab_cycles_inside_an_open_dialog(page, login, recruiter):
    open_board(page, login, recruiter)
    card = page.locator(".kcard", has_text="Maya Patel")
    card.get_by_label("Actions for Maya Patel").click()
    card.get_by_role("link", name="Move to…").click()
    dialog = page.locator("#overlay-root .overlay")
    dialog.wait_for()

    def focus_is_inside():
        return page.evaluate(
            "document.querySelector('#overlay-root .overlay').contains(document.activeElement)"
        )

    for _ in range(12):  # more presses than the dialog has controls, both ways
        page.keyboard.press("Tab")
        assert focus_is_inside()
    for _ in range(12):
        page.keyboard.press("Shift+Tab")
        assert focus_is_inside()
    page.keyboard.press("Escape")
    assert page.locator("#overlay-root .overlay").count() == 0


def test_focus_returns_to_the_card_menu_when_a_dialog_or_drawer_closes(page, login, recruiter):
    open_board(page, login, recruiter)
    card = page.locator(".kcard", has_text="Maya Patel")
    menu_button = card.get_by_label("Actions for Maya Patel")

    menu_button.click()
    card.get_by_role("link", name="Move to…").click()  # kanban.js
    expect(page.get_by_role("dialog", name="Move Maya Patel")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(menu_button).to_be_focused()

    menu_button.click()
    card.get_by_role("link", name="Send SMS").click()  # kanban_sms.js
    drawer = page.get_by_role("dialog", name="Send SMS")
    expect(drawer).to_be_visible()
    # No provider: the drawer's conversation says why; its header closes it.
    expect(drawer.get_by_role("note")).to_contain_text("SMS is turned off")
    drawer.locator(".dialog-header").get_by_role("button", name="Close").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(menu_button).to_be_focused()


def test_a_flash_message_is_dismissed_without_an_inline_handler(page, login, administrator):
    job = JobFactory(title="Flash Engineer")
    login(administrator)
    page.goto(f"/jobs/{job.pk}/edit/")
    page.get_by_role("button", name="Save changes").click()
    message = page.locator("#messages .flash", has_text="Job saved.")
    expect(message).to_be_visible()
    assert page.evaluate(INLINE_HANDLERS) == []
    message.get_by_role("button", name="Dismiss").click()
    expect(message).to_have_count(0)


def test_the_board_and_the_conversation_share_window_nextal(page, login, recruiter):
    application = maya_on_a_board()
    api = {
        "flash": "function",
        "overlay": ["close", "open", "returnFocusTo", "top"],
        "prefillFromTemplate": "function",
    }
    login(recruiter)
    page.goto(f"/candidates/{application.candidate.pk}/")  # conversation.js
    assert page.evaluate(NEXTAL_API) == api
    page.goto(f"/jobs/{application.job.pk}/")  # kanban.js and kanban_sms.js
    assert page.evaluate(NEXTAL_API) == api

    # A move the server cannot save is put back and flashed with Nextal.flash (an error stays
    # until it is dismissed).
    page.route(
        "**/move/", lambda route: route.fulfill(status=500, content_type="text/html", body="Oops")
    )
    name = page.locator(".kcard-name", has_text="Maya Patel")
    name.focus()
    page.keyboard.press("Alt+ArrowRight")
    alert = page.locator("#messages").get_by_role("alert")
    expect(alert).to_have_text(
        "The move could not be saved (are you still signed in?). Maya Patel was put back.×"
    )
    expect(page.locator(".kcol-list").first.locator(".kcard")).to_have_count(1)
    alert.get_by_role("button", name="Dismiss").click()
    expect(alert).to_have_count(0)
