"""Administration → SMS Settings in a real browser: reached from the menu, changed, audited."""

import pytest
from playwright.sync_api import expect

from sms.models import PolicyChange

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_changes_the_quiet_hours_from_the_menu(
    page, login, screenshot, administrator
):
    login(administrator)
    page.get_by_text("Administration", exact=True).click()
    page.get_by_role("link", name="SMS Settings").click()
    expect(page.get_by_role("heading", name="SMS Settings", level=1)).to_be_visible()
    expect(page.get_by_label("Send from")).to_have_value("08:00")
    page.get_by_label("Send until").fill("19:30")
    page.get_by_label("No texts on Sundays").check()
    page.get_by_role("button", name="Save SMS settings").click()
    expect(page.locator(".flash")).to_contain_text("Send until: 20:00 → 19:30")
    expect(page.locator(".policy-diff")).to_contain_text("No texts on Sundays: off → on")
    expect(page.get_by_label("Send until")).to_have_value("19:30")
    screenshot("sms-settings")
    assert PolicyChange.objects.get().changed_by == administrator
