"""The kanban in a real browser: drag a card, use the keyboard, reload, and see it stay."""

import re

import pytest
from playwright.sync_api import expect

from candidates import services
from candidates.models import Application, TimelineEvent
from sms.models import Thread
from tests.browser import drag, sign_in

# The live server needs committed data (tests/conftest.py restores the role groups after flushes).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = [
    ("Maya", "Patel", "Applied"),
    ("Jordan", "Brooks", "Applied"),
    ("Sofia", "Ramirez", "Applied"),
    ("Ethan", "Nguyen", "Applied"),
    ("Amara", "Okafor", "Phone screen"),
    ("Liam", "O'Connor", "Phone screen"),
    ("Hannah", "Schmidt", "Interview"),
    ("Mateo", "Alvarez", "Interview"),
    ("Grace", "Kim", "Offer"),
    ("Noah", "Williams", "Hired"),
    ("Isabella", "Rossi", "Rejected"),
]


@pytest.fixture
def job(recruiter):
    job = services.create_job(
        title="Senior Backend Engineer", location="Remote (US)", recruiter=recruiter
    )
    stages = {stage.name: stage for stage in job.stages.all()}
    for i, (first, last, stage) in enumerate(PEOPLE):
        candidate = services.create_candidate(
            first_name=first,
            last_name=last,
            phone=f"+1202555{100 + i:04d}",
            email=f"{first.lower()}@example.com",
            by=recruiter,
        )
        services.apply(candidate, job, by=recruiter, stage=stages[stage])
        if i % 3 == 0:
            Thread.objects.create(
                candidate=candidate,
                phone_number=candidate.phone,
                last_message_preview="Thanks! Tuesday at 10 works for me.",
                last_message_direction="inbound",
                unread_count=1 if i % 2 == 0 else 0,
            )
    return job


def card(page, name):
    return page.locator(".kcard", has=page.get_by_role("link", name=name, exact=True))


def column(page, job, name):
    stage = job.stages.get(name=name)
    return page.locator(f'.kcol-list[data-stage-id="{stage.pk}"]')


def count(page, job, name):
    stage = job.stages.get(name=name)
    return page.locator(f'[data-count-for="{stage.pk}"]')


def open_board(page, login, recruiter, job):
    login(recruiter)
    page.goto(f"/jobs/{job.pk}/")
    expect(page.get_by_role("heading", name="Senior Backend Engineer")).to_be_visible()


def test_a_dragged_card_stays_in_its_new_column_after_a_reload(
    page, login, recruiter, job, screenshot
):
    open_board(page, login, recruiter, job)
    screenshot("kanban")
    maya = card(page, "Maya Patel")
    with page.expect_response(re.compile(r"/applications/\d+/move/$")) as moved:
        drag(page, maya, column(page, job, "Interview"))
    assert moved.value.ok
    expect(column(page, job, "Interview").locator(".kcard", has_text="Maya Patel")).to_have_count(1)
    expect(count(page, job, "Applied")).to_have_text("3")
    expect(count(page, job, "Interview")).to_have_text("3")

    page.reload()
    expect(column(page, job, "Interview").locator(".kcard", has_text="Maya Patel")).to_have_count(1)
    expect(column(page, job, "Applied").locator(".kcard", has_text="Maya Patel")).to_have_count(0)
    expect(count(page, job, "Interview")).to_have_text("3")
    event = TimelineEvent.objects.get(kind="moved")
    assert event.description == "Moved from Applied to Interview by Riley Recruiter"


def test_dragging_within_a_column_reorders_it(page, login, recruiter, job):
    open_board(page, login, recruiter, job)
    applied = column(page, job, "Applied")
    with page.expect_response(re.compile(r"/move/$")):
        drag(page, card(page, "Ethan Nguyen"), card(page, "Maya Patel"), at={"x": 20, "y": 4})
    page.reload()
    expect(applied.locator(".kcard-name")).to_have_text(
        ["Ethan Nguyen", "Maya Patel", "Jordan Brooks", "Sofia Ramirez"]
    )
    assert not TimelineEvent.objects.filter(kind="moved").exists()


def test_the_keyboard_move_to_menu(page, login, recruiter, job, screenshot):
    open_board(page, login, recruiter, job)
    jordan = card(page, "Jordan Brooks")
    menu_button = jordan.get_by_label("Actions for Jordan Brooks")
    # Every card's ⋯ opens the board's one menu, in that card; focus goes to its first item.
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(menu_button).to_have_attribute("aria-controls", "kcard-menu")
    menu_button.focus()
    page.keyboard.press("Enter")
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    expect(jordan.get_by_role("link", name="Send SMS")).to_be_visible()
    expect(jordan.get_by_role("link", name="Send SMS")).to_be_focused()
    page.keyboard.press("Escape")  # closes it, focus back on the ⋯
    expect(page.locator("#kcard-menu")).to_be_hidden()
    expect(menu_button).to_be_focused()
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    application = Application.objects.get(candidate__first_name="Jordan")
    expect(jordan.get_by_role("link", name="Move to…")).to_have_attribute(
        "href", f"/applications/{application.pk}/move/"
    )
    move = jordan.get_by_role("link", name="Move to…")
    move.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Move Jordan Brooks")
    expect(dialog).to_be_visible()
    stage = dialog.get_by_label("Stage")
    expect(stage).to_be_focused()
    stage.select_option(label="Offer")
    dialog.get_by_label("Position in column").fill("1")
    page.wait_for_timeout(300)  # let the overlay's fade-in finish before the screenshot
    screenshot("kanban-move-dialog")
    with page.expect_response(re.compile(r"/move/$")):
        page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(column(page, job, "Offer").locator(".kcard-name").first).to_have_text("Jordan Brooks")
    expect(jordan.locator(".kcard-name")).to_be_focused()
    expect(count(page, job, "Offer")).to_have_text("2")

    page.reload()
    expect(column(page, job, "Offer").locator(".kcard-name")).to_have_text(
        ["Jordan Brooks", "Grace Kim"]
    )


def test_alt_arrows_move_the_focused_card(page, login, recruiter, job):
    open_board(page, login, recruiter, job)
    name = card(page, "Hannah Schmidt").locator(".kcard-name")
    name.focus()
    with page.expect_response(re.compile(r"/move/$")):
        page.keyboard.press("Alt+ArrowRight")
    expect(column(page, job, "Offer").locator(".kcard-name").first).to_have_text("Hannah Schmidt")
    expect(name).to_be_focused()
    hannah = Application.objects.get(candidate__first_name="Hannah")
    assert (hannah.stage.name, hannah.position) == ("Offer", 0)


def test_selecting_cards_shows_the_selection_toolbar(page, login, recruiter, job):
    open_board(page, login, recruiter, job)
    toolbar = page.locator("#kanban-selection-actions")
    expect(toolbar).to_be_hidden()
    page.get_by_label("Select Maya Patel").check()
    page.get_by_label("Select everyone in Interview").check()
    expect(toolbar).to_be_visible()
    expect(toolbar).to_contain_text("3 selected")
    toolbar.get_by_role("button", name="Clear selection").click()
    expect(toolbar).to_be_hidden()


def test_move_selected_moves_every_selected_card(page, login, recruiter, job):
    open_board(page, login, recruiter, job)
    page.get_by_label("Select Maya Patel").check()
    page.get_by_label("Select Amara Okafor").check()
    toolbar = page.locator("#kanban-selection-actions")
    toolbar.get_by_label("Move the selected candidates to").select_option(label="Offer")
    toolbar.get_by_role("button", name="Move selected").click()
    expect(page.locator("#messages")).to_contain_text("2 candidates moved to Offer.")
    expect(column(page, job, "Offer").locator(".kcard-name")).to_have_count(3)
    moved = Application.objects.filter(candidate__first_name__in=["Maya", "Amara"])
    assert {application.stage.name for application in moved} == {"Offer"}


def test_the_move_page_works_without_javascript(page_without_js, recruiter, job):
    page = page_without_js
    sign_in(page, recruiter)
    page.goto(f"/jobs/{job.pk}/")
    sofia = card(page, "Sofia Ramirez")
    sofia.get_by_label("Actions for Sofia Ramirez").click()  # the card's move page
    expect(page.get_by_role("heading", name="Move Sofia Ramirez")).to_be_visible()
    page.get_by_label("Stage").select_option(label="Hired")
    page.get_by_role("button", name="Move").click()
    expect(page).to_have_url(re.compile(rf"/jobs/{job.pk}/$"))
    expect(column(page, job, "Hired").locator(".kcard", has_text="Sofia Ramirez")).to_have_count(1)


def test_the_recruiter_pages_in_a_browser(page, login, recruiter, job, screenshot):
    """Add a candidate with a shared number, then see the list, the profile and the jobs."""
    login(recruiter)
    page.goto("/candidates/new/")
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Phone").fill("(202) 555-0100")  # Maya Patel's number
    expect(page.locator("#phone-warning")).to_contain_text("Also used by Maya Patel")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Job").select_option(label="Senior Backend Engineer")
    screenshot("candidate-form")
    page.get_by_role("button", name="Add candidate").click()
    expect(page.get_by_role("heading", name="Ada Lovelace", level=1)).to_be_visible()
    expect(page.locator(".profile-header")).to_contain_text("also used by Maya Patel")
    expect(page.locator(".timeline")).to_contain_text("Applied to Senior Backend Engineer")
    screenshot("candidate-profile")

    page.goto("/candidates/?q=202-555-0100")
    expect(page.locator(".candidate-table tbody tr")).to_have_count(2)
    page.goto("/candidates/")
    screenshot("candidate-list")
    page.goto("/jobs/")
    expect(page.locator(".job-card")).to_contain_text("12 candidates")
    screenshot("job-list")


def test_a_card_is_dragged_with_a_finger_on_a_phone(browser, live_server, recruiter, job):
    """HTML5 drag and drop does not work with touch; SortableJS does: a long press, then the
    finger moves the card (touch events sent as a phone's touchscreen sends them)."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, recruiter)
    page.goto(f"/jobs/{job.pk}/")
    cdp = context.new_cdp_session(page)
    maya = card(page, "Maya Patel")
    start = maya.bounding_box()
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    applied = column(page, job, "Applied")
    last = applied.locator(".kcard").last.bounding_box()

    def touch(kind, px, py):
        points = [] if kind == "touchEnd" else [{"x": px, "y": py}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    with page.expect_response(re.compile(r"/applications/\d+/move/$")) as moved:
        touch("touchStart", x, y)
        page.wait_for_timeout(500)  # the long press that starts a touch drag (350 ms)
        target_y = last["y"] + last["height"] - 4
        for step in range(1, 16):
            touch("touchMove", x + 2, y + (target_y - y) * step / 15)
            page.wait_for_timeout(16)
        touch("touchEnd", x, target_y)
    assert moved.value.ok
    expect(applied.locator(".kcard-name").last).to_have_text("Maya Patel")
    assert (
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        <= 0
    )
    context.close()
