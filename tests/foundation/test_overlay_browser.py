"""Overlays (dialogs and drawers) keep keyboard focus inside while they are open."""

import pytest

from tests.factories import ApplicationFactory, JobFactory

pytestmark = pytest.mark.browser


def test_tab_cycles_inside_an_open_dialog(page, login, recruiter):
    job = JobFactory(title="Focus Engineer")
    ApplicationFactory(job=job, candidate__first_name="Maya", candidate__last_name="Patel")
    login(recruiter)
    page.goto(f"/jobs/{job.pk}/")
    card = page.locator(".kcard", has_text="Maya Patel")
    card.locator("summary").click()
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
