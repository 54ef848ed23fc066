"""A French-preferring candidate in a bulk send from the board receives the French version of
the template; the preview says who gets which language and the fallback."""

import pytest
from playwright.sync_api import expect

from candidates.models import Candidate
from sms.models import Message, SmsTemplate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def card(page, name):
    return page.locator(".kcard", has=page.get_by_role("link", name=name, exact=True))


def test_a_french_preferring_candidate_gets_the_french_version_in_a_bulk_send(
    page, login, screenshot, recruiter, job, cards, active_twilio, fake_provider
):
    invite = SmsTemplate.objects.create(
        name="Interview invite", body="Hi {{first_name}}, can we talk about {{job_title}}?"
    )
    SmsTemplate.objects.create(
        name="Invitation à un entretien",
        body="Bonjour {{first_name}}, pouvons-nous parler du poste {{job_title}} ?",
        language="fr",
        translation_of=invite,
    )
    Candidate.objects.filter(first_name="Ada").update(preferred_language="fr")
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    login(recruiter)
    page.goto(f"/jobs/{job.pk}/")
    for name in ("Ada Lovelace", "Grace Hopper"):
        card(page, name).get_by_label(f"Select {name}").check()
    page.get_by_role("button", name="Send SMS to 2 candidates").click()
    sidebar = page.get_by_role("dialog", name="Send SMS to 2 candidates")
    sidebar.get_by_role("radio", name="Template").check()
    sidebar.get_by_role("combobox", name="Saved template").select_option(label="Interview invite")
    expect(sidebar.get_by_label("Content")).to_have_value(invite.body)
    sidebar.get_by_role("button", name="Preview").click()
    expect(sidebar.get_by_test_id("bulk-languages")).to_have_text(
        "Languages: 1 in French, 1 in English."
    )
    screenshot("bulk-preview-languages")
    sidebar.get_by_role("button", name="Send 2 messages").click()
    expect(sidebar.get_by_test_id("count-sent")).to_have_text("2", timeout=15_000)

    bodies = {
        request.form["To"][0]: request.form["Body"][0]
        for request in fake_provider.requests_for("twilio.send")
    }
    assert bodies == {
        "+12025550101": "Bonjour Ada, pouvons-nous parler du poste Senior Backend Engineer ?",
        "+12025550102": "Hi Grace, can we talk about Senior Backend Engineer?",
    }
    assert Message.objects.get(to_number="+12025550101").template.language == "fr"
    assert errors == []
