"""The team inbox in a real browser: answering an unknown sender and making them a candidate,
assigning to a colleague, close / reopen by a reply, snooze, mark as unread, export.

Sends run in-process against the fake provider server; replies are posted, signed, to the live
server's Twilio webhook.
"""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from core.roles import RECRUITERS
from sms.assignment import wake_snoozed
from sms.models import Message, MessageStatus, Thread
from tests.browser import sign_in
from tests.factories import CandidateFactory, UserFactory
from tests.helpers.messages import add_message
from tests.sms.conversations.test_browser import post_twilio_inbound

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMBER = "+14165550123"


@pytest.fixture
def colleague(db):
    user = UserFactory(username="casey", first_name="Casey", last_name="Colleague")
    user.groups.add(Group.objects.get(name=RECRUITERS))
    return user


@pytest.fixture
def unknown(db):
    thread = Thread.objects.create(phone_number=NUMBER)
    Message.objects.create(
        thread=thread,
        direction="inbound",
        status="received",
        from_number=NUMBER,
        body="Hi, this is Maria Lopez. Is the warehouse job still open?",
    )
    Thread.objects.filter(pk=thread.pk).show_message(
        "Hi, this is Maria Lopez. Is the warehouse job still open?", "inbound", at=timezone.now()
    )
    return thread


def test_an_unknown_sender_is_answered_then_made_a_candidate(
    page, login, screenshot, recruiter, unknown, active_twilio, fake_provider
):
    login(recruiter)
    page.goto(f"/inbox/{unknown.pk}/")
    pane = page.locator("#inbox-pane")
    expect(pane.get_by_text("Unknown sender")).to_be_visible()
    pane.get_by_label("Message", exact=True).fill("Yes it is! May I have your email?")
    pane.get_by_role("button", name="Send now").click()
    sent = pane.locator(".sms-outbound").last
    expect(sent).to_contain_text("May I have your email?")
    expect(sent.locator(".sms-status")).to_have_text("Sent", timeout=15_000)
    assert fake_provider.sends_to(NUMBER) == 1

    pane.get_by_role("link", name="Create candidate").click()
    expect(page.get_by_label("First name")).to_have_value("Maria")
    expect(page.get_by_label("Last name")).to_have_value("Lopez")
    expect(page.get_by_label("Phone")).to_have_value(NUMBER)
    page.get_by_label("Email").fill("maria.lopez@example.com")
    page.get_by_role("button", name=re.compile("Add candidate|Save")).click()

    expect(pane.get_by_role("heading", name="Maria Lopez")).to_be_visible()
    expect(pane.locator(".sms-inbound")).to_contain_text("Is the warehouse job still open?")
    expect(pane.get_by_role("button", name="Undo")).to_be_visible()
    assert Thread.objects.get(pk=unknown.pk).candidate.email == "maria.lopez@example.com"
    screenshot("inbox-created-from-unknown-sender")


def test_assigning_to_a_colleague_puts_it_in_their_mine(
    page, browser, live_server, login, recruiter, colleague
):
    ada = CandidateFactory(first_name="Ada", last_name="Lovelace")
    thread = add_message(ada, direction="inbound", body="Any news on my application?").thread
    login(recruiter)
    page.goto(f"/inbox/{thread.pk}/")
    page.get_by_text("Assigned to: nobody").click()
    page.get_by_label("Assigned to", exact=True).select_option(label="Casey Colleague")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_text("Assigned to: Casey Colleague")).to_be_visible()

    theirs = browser.new_context(base_url=live_server.url).new_page()
    sign_in(theirs, colleague)
    theirs.goto("/inbox/?show=mine")
    expect(theirs.locator(f"#thread-row-{thread.pk}")).to_contain_text("Ada Lovelace")
    expect(theirs.locator(f"#thread-row-{thread.pk} .thread-assignee")).to_have_text("Casey")
    page.goto("/inbox/?show=mine")
    expect(page.locator(f"#thread-row-{thread.pk}")).to_have_count(0)
    theirs.context.close()


def test_closed_then_reopened_by_the_candidates_reply(
    page, login, recruiter, candidate, active_twilio, live_server, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    thread = add_message(candidate, direction="inbound", body="Thanks, all good").thread
    login(recruiter)
    page.goto(f"/inbox/{thread.pk}/")
    page.get_by_role("button", name="Close", exact=True).click()
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    page.goto("/inbox/?show=unassigned")
    expect(page.locator(f"#thread-row-{thread.pk}")).to_have_count(0)

    assert post_twilio_inbound(live_server.url, candidate.phone, "One more question") == 200

    # The list polls itself: the reopened conversation comes back.
    expect(page.locator(f"#thread-row-{thread.pk}")).to_contain_text(
        "One more question", timeout=10_000
    )
    page.locator(f"#thread-row-{thread.pk} .thread-link").click()
    expect(page.get_by_role("button", name="Close", exact=True)).to_be_visible()


def test_snoozed_out_of_the_list_until_the_sweeper_brings_it_back(page, login, recruiter):
    ada = CandidateFactory(first_name="Ada", last_name="Lovelace")
    thread = add_message(ada, direction="inbound", body="I'll know on Friday").thread
    login(recruiter)
    page.goto(f"/inbox/{thread.pk}/?show=unassigned")
    page.get_by_text("Snooze until…").click()
    page.get_by_role("button", name="For an hour").click()
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text(
        "Snoozed until"
    )
    page.goto("/inbox/?show=unassigned")
    expect(page.locator(f"#thread-row-{thread.pk}")).to_have_count(0)

    assert wake_snoozed(now=timezone.now() + timedelta(hours=1, minutes=1)) == 1

    expect(page.locator(f"#thread-row-{thread.pk}")).to_be_visible(timeout=10_000)


def test_mark_as_unread_shows_in_the_badge_and_the_tab_title(page, login, recruiter):
    ada = CandidateFactory(first_name="Ada", last_name="Lovelace")
    thread = add_message(ada, direction="inbound", body="Call me?").thread
    login(recruiter)
    page.goto(f"/inbox/{thread.pk}/")
    expect(page.locator("#nav-unread-badge")).to_have_text(re.compile(r"^0"))
    expect(page).to_have_title(re.compile(r"^Ada Lovelace"))

    page.get_by_role("button", name="Mark as unread").click()

    expect(page.locator(f"#thread-row-{thread.pk}")).to_have_class(re.compile("is-unread"))
    expect(page.locator("#nav-unread-badge")).to_have_text(re.compile(r"^1"))
    expect(page).to_have_title(re.compile(r"^\(1\) Inbox"))


def test_a_conversation_is_exported_as_csv_and_a_printable_page(page, login, recruiter):
    ada = CandidateFactory(first_name="Ada", last_name="Lovelace")
    add_message(ada, body="Are you free Thursday?", sent_by=recruiter)
    thread = add_message(ada, direction="inbound", body="Yes, after 2pm").thread
    login(recruiter)
    page.goto(f"/inbox/{thread.pk}/")
    page.get_by_text("Export", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    rows = list(csv.reader(io.StringIO(text)))
    assert [row[6] for row in rows[1:]] == ["Are you free Thursday?", "Yes, after 2pm"]

    with page.context.expect_page() as printable:  # the menu is still open
        page.get_by_role("link", name="Printable page").click()
    printed = printable.value
    expect(printed.get_by_role("heading")).to_have_text("SMS conversation with Ada Lovelace")
    expect(printed.locator(".print-message")).to_have_count(2)
    assert Message.objects.filter(status=MessageStatus.RECEIVED).count() == 1


FAKE_NOTIFICATION = """
window.__notes = [];
class FakeNotification {
  constructor(title, options) { window.__notes.push({title: title, body: options.body}); }
  static requestPermission() {
    FakeNotification.permission = "granted";
    return Promise.resolve("granted");
  }
}
FakeNotification.permission = "default";
window.Notification = FakeNotification;
"""


def test_an_opted_in_browser_notifies_a_reply_in_mine(
    page, login, recruiter, candidate, active_twilio, live_server, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    thread = add_message(candidate, body="Can you do Monday?", sent_by=recruiter).thread
    Thread.objects.filter(pk=thread.pk).update(assigned_to=recruiter)
    page.add_init_script(FAKE_NOTIFICATION)
    login(recruiter)
    page.goto("/inbox/")
    page.get_by_role("button", name="Notify me of replies in Mine").click()
    expect(page.get_by_role("button", name=re.compile("Browser notifications: on"))).to_be_visible()
    # The badge's own refresh (every 15 s) says what is newest in Mine: nothing yet.
    expect(page.locator("#nav-unread-badge[data-mine-latest='0']")).to_have_count(1, timeout=25_000)

    assert post_twilio_inbound(live_server.url, candidate.phone, "Monday 10am works") == 200

    page.wait_for_function("window.__notes.length > 0", timeout=40_000)
    notes = page.evaluate("window.__notes")
    assert notes == [{"title": "Reply from Ada Lovelace", "body": "Monday 10am works"}]
    expect(page).to_have_title(re.compile(r"^\(1\) Inbox"))
