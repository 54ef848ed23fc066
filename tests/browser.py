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


def drag(page, source, target, *, at=None):
    """Drag with the mouse as a person does: press, move in steps, release (SortableJS follows
    pointer movement; a single jump would not be a drag)."""
    start = source.bounding_box()
    end = target.bounding_box()
    x, y = (
        (end["x"] + at["x"], end["y"] + at["y"])
        if at
        else (
            end["x"] + end["width"] / 2,
            end["y"] + min(end["height"] / 2, 40),
        )
    )
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + start["width"] / 2 + 10, start["y"] + start["height"] / 2, steps=3)
    page.mouse.move(x, y, steps=15)
    page.mouse.move(x, y + 1, steps=2)
    page.mouse.up()
