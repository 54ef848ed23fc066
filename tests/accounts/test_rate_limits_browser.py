"""In Chromium: over the search limit, an htmx search shows the readable message in the page's
message area (the 429's HX-Trigger, handled by app.js) and leaves the list as it was."""

import re

import pytest
from playwright.sync_api import expect

from core.rate_limits import MESSAGE

pytestmark = pytest.mark.browser


def test_an_htmx_search_over_the_limit_says_so(page, login, recruiter, settings):
    settings.RATE_LIMIT_SEARCH = "1/m"
    login(recruiter)
    page.goto("/inbox/")
    search = page.get_by_label("Search conversations")
    search.fill("ada")
    expect(page).to_have_url(re.compile(r"/inbox/\?q=ada"))
    search.fill("bea")
    expect(page.locator("#messages").get_by_text(MESSAGE)).to_be_visible()
    expect(page.locator("#messages [role=alert]")).to_have_count(1)
