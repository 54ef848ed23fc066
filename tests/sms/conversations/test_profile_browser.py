"""The Messages area in a real browser: compose, send, see the status; screenshots for review."""

import pytest

from sms.models import Message, MessageStatus, Thread
from tests.helpers.providers import CANDIDATE_PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),  # the live server is another thread
]


def test_a_recruiter_texts_a_candidate_from_the_profile(
    page, login, screenshot, recruiter, candidate, active_twilio, fake_provider
):
    thread = Thread.objects.create(candidate=candidate, phone_number=CANDIDATE_PHONE)
    Message.objects.create(
        thread=thread, direction="inbound", status="received", body="Hi! Is the role remote?"
    )
    login(recruiter)
    page.goto(f"/candidates/{candidate.pk}/")
    area = page.locator("#messages-area")
    area.get_by_label("Message").fill("Yes, fully remote. Free for a call on Monday?")
    area.get_by_role("button", name="Send now").click()
    sent = area.locator(".sms-outbound").last
    sent.get_by_text("Yes, fully remote").wait_for()
    # Sent in-process after commit; the area polls until the status settles.
    sent.locator(".badge", has_text="Sent").wait_for(timeout=15_000)
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1
    assert Message.objects.get(direction="outbound").status == MessageStatus.SENT
    assert area.get_by_label("Message").input_value() == ""
    screenshot("sms-profile-messages")


def test_the_area_explains_why_sms_is_off(page, login, screenshot, recruiter, candidate):
    login(recruiter)
    page.goto(f"/candidates/{candidate.pk}/")
    area = page.locator("#messages-area")
    area.get_by_text("SMS is turned off. Ask an administrator").wait_for()
    assert area.get_by_role("button", name="Send now").count() == 0
    screenshot("sms-profile-messages-off")
