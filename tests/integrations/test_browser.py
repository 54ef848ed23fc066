"""The documented flow in a real browser (Debian's Chromium), with and without JavaScript."""

import pytest
from playwright.sync_api import expect

from integrations.models import Integration
from tests.browser import ARTIFACTS, sign_in
from tests.fakes.fixtures import CLICKSEND_API_KEY, CLICKSEND_USERNAME, TWILIO_SID, TWILIO_TOKEN

pytestmark = pytest.mark.browser

FLOWS = [
    # (kind, title, phone, account id label, account id, secret label, secret)
    ("twilio", "Twilio", "+1 202 555 0143", "Account SID", TWILIO_SID, "Auth Token", TWILIO_TOKEN),
    (
        "clicksend",
        "ClickSend",
        "+61 411 111 111",
        "Username",
        CLICKSEND_USERNAME,
        "API Key",
        CLICKSEND_API_KEY,
    ),
]


def configure(page, flow, *, saved_message):
    """Edit → Activate → Phone Number → Account SID / Username → Save → Edit secret → Update."""
    kind, title, phone, account_label, account_id, secret_label, secret = flow
    card = page.locator(f"#integration-{kind}")
    card.get_by_role("link", name="Edit", exact=True).click()
    dialog = page.get_by_role("dialog", name=f"{title} settings")
    expect(dialog.get_by_label("Activate", exact=True)).to_be_focused()  # keyboard users land in it
    dialog.get_by_label("Activate", exact=True).check()
    dialog.get_by_label("Phone Number").fill(phone)
    dialog.get_by_label(account_label, exact=True).fill(account_id)
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator("#messages")).to_contain_text(saved_message)
    expect(card.get_by_test_id("status")).to_have_text("Active")

    card.get_by_role("link", name=f"Edit {secret_label}").click()
    dialog = page.get_by_role("dialog", name=f"{title} {secret_label}")
    secret_field = dialog.get_by_label(secret_label, exact=True)
    expect(secret_field).to_have_attribute("type", "password")
    expect(secret_field).to_have_value("")
    expect(secret_field).to_be_focused()
    secret_field.fill(secret)
    dialog.get_by_role("button", name=f"Update {secret_label}").click()
    expect(page.locator("#messages")).to_contain_text(f"{secret_label} updated.")
    expect(card.get_by_test_id("credential-state")).to_contain_text(f"set ••••{secret[-4:]}")
    expect(card.get_by_test_id("credential-check")).to_contain_text(f"Accepted by {title}")
    return card


def test_an_administrator_configures_both_providers(
    page, login, screenshot, administrator, twilio_row, clicksend_row, fake_provider
):
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    login(administrator)
    page.goto("/administration/integrations/")
    expect(page.get_by_role("heading", name="Integrations", level=1)).to_be_visible()

    twilio_card = configure(page, FLOWS[0], saved_message="Twilio is now the active SMS provider.")
    clicksend_card = configure(
        page,
        FLOWS[1],
        saved_message="ClickSend is now the active SMS provider. Twilio was deactivated.",
    )

    expect(twilio_card.get_by_test_id("status")).to_have_text("Inactive")
    expect(clicksend_card.get_by_test_id("status")).to_have_text("Active")
    expect(twilio_card.get_by_test_id("last-change")).to_contain_text("Deactivated by Alex Admin")
    for secret in (TWILIO_TOKEN, CLICKSEND_API_KEY):
        assert secret not in page.content()
    assert list(Integration.objects.filter(is_active=True).values_list("kind", flat=True)) == [
        "clicksend"
    ]
    assert errors == []
    screenshot("integrations")


def test_an_invalid_save_keeps_the_dialog_open_with_the_error(
    page, login, screenshot, administrator, twilio_row, clicksend_row
):
    login(administrator)
    page.goto("/administration/integrations/")
    page.locator("#integration-twilio").get_by_role("link", name="Edit", exact=True).click()
    dialog = page.get_by_role("dialog", name="Twilio settings")
    dialog.get_by_label("Activate", exact=True).check()
    dialog.get_by_label("Account SID", exact=True).fill("AC123")
    dialog.get_by_role("button", name="Save").click()

    expect(dialog.locator("#id_account_id_error")).to_contain_text("Enter a valid Account SID")
    expect(dialog.locator("#id_phone_number_error")).to_contain_text("before activating")
    expect(dialog.get_by_label("Account SID", exact=True)).to_have_attribute("aria-invalid", "true")
    screenshot("integrations-dialog-errors")

    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert not Integration.objects.filter(is_active=True).exists()


def test_the_panels_work_without_javascript(
    page_without_js, live_server, administrator, twilio_row, clicksend_row, fake_provider
):
    page = page_without_js
    sign_in(page, administrator)
    page.goto("/administration/integrations/")

    card = page.locator("#integration-clicksend")
    card.get_by_role("link", name="Edit", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/administration/integrations/clicksend/settings/")
    page.get_by_label("Activate", exact=True).check()
    page.get_by_label("Phone Number").fill("+61411111111")
    page.get_by_label("Username", exact=True).fill(CLICKSEND_USERNAME)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "integrations-no-js-settings.png"), full_page=True)
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{live_server.url}/administration/integrations/")
    expect(page.locator("#messages")).to_contain_text("ClickSend is now the active")

    card.get_by_role("link", name="Edit API Key").click()
    page.get_by_label("API Key", exact=True).fill(CLICKSEND_API_KEY)
    page.get_by_role("button", name="Update API Key").click()
    expect(page.locator("#messages")).to_contain_text("API Key updated.")
    expect(card.get_by_test_id("status")).to_have_text("Active")
    assert CLICKSEND_API_KEY not in page.content()
