"""Helpers for the Playwright browser tests (fixtures are in tests/conftest.py)."""

from pathlib import Path

# Screenshots for reviewers (the `screenshot` fixture, and tests saving their own).
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def sign_in(page, user, password="password"):
    """Sign a user in through the real login form."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
    return page
