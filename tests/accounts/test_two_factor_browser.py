"""In Chromium: a recruiter turns on two-factor sign-in by reading the key the page shows into an
authenticator (pyotp stands in for the phone), keeps the recovery codes, signs out, and signs in
again with a code; an administrator who must enrol is sent to do it first."""

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from accounts.models import AuthEvent, AuthEventKind

pytestmark = pytest.mark.browser


def authenticator_from(page) -> pyotp.TOTP:
    secret = page.get_by_test_id("totp-secret").inner_text()
    return pyotp.TOTP("".join(secret.split()))


def test_enrol_totp_then_sign_in_with_it(page, login, recruiter, screenshot):
    login(recruiter)
    page.get_by_role("link", name="Riley Recruiter").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    app = authenticator_from(page)
    screenshot("two-factor-enrol")

    page.get_by_label("Code from the app").fill(app.now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_text("Two-factor sign-in is on.")).to_be_visible()
    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    screenshot("two-factor-recovery-codes")

    page.get_by_role("button", name="Log out").click()
    page.get_by_label("Username").fill(recruiter.username)
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    # Nothing else opens before the code.
    page.goto("/candidates/")
    expect(page.get_by_label("Authentication code")).to_be_visible()

    # The code for the next 30 s step: the one used to enrol cannot be used again.
    page.get_by_label("Authentication code").fill(app.at(time.time() + 30))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/candidates/$"))
    expect(page.get_by_role("heading", name="Candidates", exact=True)).to_be_visible()
    kinds = list(
        AuthEvent.objects.filter(user=recruiter).order_by("id").values_list("kind", flat=True)
    )
    assert kinds[-3:] == [
        AuthEventKind.SIGNED_OUT,
        AuthEventKind.SIGNED_IN,
        AuthEventKind.TWO_FACTOR_VERIFIED,
    ]


def test_an_administrator_must_enrol_first(page, login, administrator, settings):
    settings.REQUIRE_2FA_FOR_ADMINS = True
    login(administrator)
    expect(page.get_by_text("Administrators must set up two-factor sign-in")).to_be_visible()
    page.goto("/administration/integrations/")
    expect(page.get_by_label("Code from the app")).to_be_visible()
    app = authenticator_from(page)
    page.get_by_label("Code from the app").fill(app.now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_test_id("recovery-codes")).to_be_visible()
    page.goto("/administration/integrations/")
    expect(page.get_by_role("heading", name="Integrations", exact=True)).to_be_visible()
