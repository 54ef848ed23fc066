"""The SMS Templates pages in a real browser: live preview, merge-field buttons, the Active
switch and delete dialog with htmx, and the editor without JavaScript."""

import pytest
from playwright.sync_api import expect

from sms.models import SmsTemplate
from tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_writes_a_template_with_a_live_preview(
    page, login, screenshot, administrator
):
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    SmsTemplate.objects.create(
        name="Offer follow-up", body="Hi {{first_name}}, any questions on the offer?"
    )
    SmsTemplate.objects.create(
        name="Old reminder", body="Reminder: bring your ID.", is_active=False
    )
    login(administrator)
    page.goto("/administration/sms-templates/")
    page.get_by_role("link", name="New template").click()

    page.get_by_label("Name", exact=True).fill("Interview invite")
    body = page.get_by_label("Message")
    body.fill("Hi ")
    page.get_by_role("button", name="Insert First name merge field").click()
    body.press("End")
    body.type(", can we talk about ")
    page.get_by_role("button", name="Insert Job title merge field").click()
    body.press("End")
    body.type("? ")
    page.get_by_role("button", name="Insert Recruiter name merge field").click()
    expect(body).to_have_value(
        "Hi {{first_name}}, can we talk about {{job_title}}? {{recruiter_name}}"
    )
    preview = page.locator("[data-preview-text]")
    expect(preview).to_have_text("Hi Maya, can we talk about Senior Backend Engineer? Alex Admin")
    expect(page.locator("#preview-counter")).to_have_text("62/160 · 1 segment")
    expect(page.get_by_role("button", name="Update preview")).to_have_count(0)  # JS is on
    screenshot("sms-template-editor")

    body.press("End")
    body.type(" {{frist_name}}")
    expect(page.locator("[data-preview-problem]")).to_contain_text(
        "Unknown merge field {{frist_name}}"
    )
    body.fill("Hi {{first_name}}, can we talk about {{job_title}}? {{recruiter_name}} 🙂")
    expect(page.locator("#preview-counter")).to_contain_text("UCS-2 because of “🙂”")
    page.get_by_role("button", name="Create template").click()

    expect(page.locator("#messages")).to_contain_text("Template “Interview invite” created.")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(3)
    switch = page.get_by_role("switch", name="Active: Old reminder")
    expect(switch).to_have_attribute("aria-checked", "false")
    switch.click()
    expect(page.get_by_role("switch", name="Active: Old reminder")).to_have_attribute(
        "aria-checked", "true"
    )
    assert SmsTemplate.objects.get(name="Old reminder").is_active is True
    screenshot("sms-templates")

    page.get_by_role("link", name="Delete Offer follow-up").click()
    dialog = page.get_by_role("dialog", name="Delete “Offer follow-up”?")
    dialog.get_by_role("button", name="Delete template").click()
    expect(page.locator("#messages")).to_contain_text("Template “Offer follow-up” deleted.")
    expect(rows).to_have_count(2)
    assert errors == []


def test_the_editor_works_without_javascript(page_without_js, administrator):
    page = page_without_js
    sign_in(page, administrator)
    page.goto("/administration/sms-templates/new/")
    page.get_by_label("Name", exact=True).fill("Reminder")
    page.get_by_label("Message").fill("See you tomorrow, {{first_name}}!")
    page.get_by_role("button", name="Update preview").click()
    expect(page.locator("[data-preview-text]")).to_have_text("See you tomorrow, Maya!")
    page.get_by_role("button", name="Create template").click()
    switch = page.get_by_role("switch", name="Active: Reminder")
    expect(switch).to_have_attribute("aria-checked", "true")  # new templates start active
    switch.click()  # a plain form post
    expect(page.locator("#messages")).to_contain_text("“Reminder” is now inactive")
    expect(switch).to_have_attribute("aria-checked", "false")
    assert SmsTemplate.objects.get(name="Reminder").is_active is False
