"""The pages work under the strict Content-Security-Policy in Chromium: no violation reported on
the inbox, a profile, a board, the integrations and the templates pages, nor while using them."""

import pytest
from playwright.sync_api import expect

from candidates import services
from sms.models import SmsTemplate
from tests.helpers.messages import add_message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Registered before any page script runs; CSP violations are also printed to the console.
LISTEN = """window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = e.sourceFile + ":" + e.lineNumber;
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + where);
});"""


@pytest.fixture
def watched(page):
    problems = []
    page.add_init_script(LISTEN)
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"{error} {error.stack} at {page.url}"))

    def violations():
        return problems + page.evaluate("window.__csp")

    return page, violations


@pytest.fixture
def data(recruiter, active_twilio):
    job = services.create_job(title="Platform Engineer", recruiter=recruiter)
    ada = services.create_candidate(
        first_name="Ada", last_name="Lovelace", phone="+12025550111", by=recruiter
    )
    services.apply(ada, job, by=recruiter)
    add_message(ada, body="Are you free on Monday?", sent_by=recruiter)
    add_message(ada, direction="inbound", body="Yes, after 10.")
    SmsTemplate.objects.create(name="Interview", body="Hi {{first_name}}, shall we talk?")
    return job, ada


def test_pages_report_no_csp_violation(watched, login, administrator, data):
    page, violations = watched
    job, ada = data
    # The pages need a policy to test against.
    response = page.goto("/accounts/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    login(administrator)

    page.goto("/inbox/")
    # Opening the unread thread marks it read (a POST); the next poll then swaps the body in.
    with page.expect_response(lambda r: "/poll/" in r.url and r.status == 200, timeout=15_000):
        page.get_by_role("link", name="Ada Lovelace").first.click()
    expect(page.get_by_text("Yes, after 10.").first).to_be_visible()
    expect(page.locator(".mark-read")).to_have_count(0)

    page.goto(f"/candidates/{ada.pk}/")
    expect(page.get_by_text("Are you free on Monday?").first).to_be_visible()

    page.goto(f"/jobs/{job.pk}/")
    card = page.locator(".kcard", has_text="Ada Lovelace")
    card.get_by_label("Actions for Ada Lovelace").click()
    card.get_by_role("link", name="Send SMS").click()
    expect(page.get_by_role("dialog", name="Send SMS")).to_be_visible()
    page.keyboard.press("Escape")

    page.goto("/administration/integrations/")
    expect(page.get_by_role("heading", name="Twilio").first).to_be_visible()

    page.goto("/administration/sms-templates/")
    expect(page.get_by_text("Interview").first).to_be_visible()

    page.goto("/administration/sms-analytics/")
    page.wait_for_load_state("networkidle")
    assert violations() == []


def test_an_inline_script_would_be_reported(watched, login, recruiter, data):
    """The listener above is real: a script the policy forbids is reported."""
    page, violations = watched
    login(recruiter)
    page.goto("/candidates/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_function("window.__csp.length > 0")
    assert any("script-src" in v for v in violations())
    assert page.evaluate("window.x") is None
