"""A long column in a real browser: Show more appends the next cards, and "Select everyone"
selects the cards not loaded yet too, so the bulk send texts all of them."""

import pytest
from playwright.sync_api import expect

from candidates.models import Application, Stage
from tests.candidates.factories import bulk_applications

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CARDS = 120


@pytest.fixture
def long_column(job):
    """The job's first stage holds its 5 people plus CARDS more (positions after theirs)."""
    applied = Stage.objects.filter(job=job).order_by("position").first()
    start = Application.objects.filter(stage=applied).count()
    for i, application in enumerate(bulk_applications(job, CARDS, prefix="Long")):
        Application.objects.filter(pk=application.pk).update(stage=applied, position=start + i)
    return applied


def test_show_more_and_selecting_a_whole_column(
    page, login, recruiter, job, long_column, active_twilio
):
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    login(recruiter)
    page.goto(f"/jobs/{job.pk}/")
    total = Application.objects.filter(stage=long_column).count()
    column = page.locator(f'.kcol[data-stage-id="{long_column.pk}"]')
    expect(column.locator(".kcol-count")).to_have_text(str(total))
    expect(column.locator(".kcard")).to_have_count(50)

    column.get_by_role("link", name="Show more").click()
    expect(column.locator(".kcard")).to_have_count(100)
    expect(column.get_by_role("link", name="Show more")).to_contain_text(f"({total - 100} more)")
    # A card Show more brought opens the board's shared menu, pointing at that card.
    loaded = column.locator(".kcard").nth(60)
    application_id = loaded.get_attribute("id").removeprefix("application-")
    loaded.locator(".kcard-menu").click()
    expect(loaded.get_by_role("link", name="Send SMS")).to_have_attribute(
        "href", f"/applications/{application_id}/sms/"
    )
    expect(loaded.locator(".kcard-menu")).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(loaded.locator(".kcard-menu")).to_be_focused()

    column.get_by_label(f"Select everyone in {long_column.name}").check()
    bar = page.get_by_role("region", name="Selected candidates")
    expect(bar.locator("[data-selection-count]")).to_have_text(str(total))
    # One loaded card left out: the rest, loaded or not, are still selected.
    first = column.locator(".kcard").first
    first.locator(".kcard-select").uncheck()
    expect(bar.locator("[data-selection-count]")).to_have_text(str(total - 1))
    # Cards loaded now arrive selected.
    column.get_by_role("link", name="Show more").click()
    expect(column.locator(".kcard")).to_have_count(total)
    expect(column.locator(".kcard-select:checked")).to_have_count(total - 1)

    page.get_by_role("button", name=f"Send SMS to {total - 1} candidates").click()
    # The server resolved the column (stage=…, exclude=…) into every card but the one.
    sidebar = page.get_by_role("dialog", name=f"Send SMS to {total - 1} candidates")
    expect(sidebar).to_be_visible()
    assert errors == []
