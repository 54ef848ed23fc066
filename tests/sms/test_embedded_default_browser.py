"""The embedded default keeps its promises (issue 11): with no Redis and no separate worker, the
sweeper `manage.py runserver` runs beside the server (sms/outbox/embedded.py, started here as
the command starts it) sends a message scheduled from the composer, and an automatic retry after
a 429, within 30 s of their time. The clock is moved with time-machine (`travel`) instead of
waiting a real minute; the sweeper's own interval is real time."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from sms.models import Message, MessageStatus
from sms.outbox.embedded import EmbeddedSweeper
from tests.helpers.polling import wait_until
from tests.helpers.providers import CANDIDATE_PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROMISE = timedelta(seconds=30)
START = datetime(2026, 12, 1, 15, 0, 5, tzinfo=UTC)


@pytest.fixture
def embedded_sweeper(live_server):
    assert not settings.REDIS_URL or settings.CELERY_TASK_ALWAYS_EAGER
    sweeper = EmbeddedSweeper(every=settings.SMS_EMBEDDED_SWEEP_SECONDS).start()
    yield sweeper
    sweeper.stop()


def sent_message():
    message = Message.objects.filter(direction="outbound").first()
    return message if message and message.sent_at else None


def test_a_scheduled_message_goes_out_within_30_s_of_its_time(
    page, login, recruiter, candidate, active_twilio, fake_provider, travel, embedded_sweeper
):
    travel(START)
    login(recruiter)
    page.goto(f"/candidates/{candidate.pk}/")
    area = page.locator("#messages-area")
    area.get_by_label("Message", exact=True).fill("See you at the interview tomorrow!")
    area.get_by_text("Schedule…").click()
    when = timezone.localtime(START).replace(second=0) + timedelta(minutes=1)
    area.get_by_label("Send at").fill(when.strftime("%Y-%m-%dT%H:%M"))
    area.get_by_role("button", name="Schedule", exact=True).click()
    expect(area.locator(".sms-scheduled-item")).to_contain_text("See you at the interview")
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 0

    travel(when - timedelta(seconds=1))  # a second before its time
    message = wait_until(sent_message, timeout=60, what="the scheduled message to be sent")
    assert message.scheduled_for == when
    assert when <= message.sent_at <= when + PROMISE
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1
    sent = area.locator(".sms-outbound", has_text="See you at the interview")
    expect(sent.locator(".sms-status")).to_have_text("Sent", timeout=15_000)  # it refreshes
    expect(area.locator(".sms-scheduled-item")).to_have_count(0)


def test_a_retry_after_a_429_goes_out_within_30_s_of_its_time(
    page, login, recruiter, candidate, active_twilio, fake_provider, travel, embedded_sweeper
):
    travel(START)
    fake_provider.queue_twilio_error(20429, status=429)
    login(recruiter)
    page.goto(f"/candidates/{candidate.pk}/")
    area = page.locator("#messages-area")
    area.get_by_label("Message", exact=True).fill("Are you free for a call on Monday?")
    area.get_by_role("button", name="Send now").click()
    retrying = area.locator(".sms-outbound").last
    message = wait_until(
        lambda: Message.objects.filter(attempts=1, status=MessageStatus.QUEUED).first(),
        timeout=15,
        what="the 429 to be scheduled for a retry",
    )
    next_at = message.next_attempt_at
    assert next_at > START
    expect(retrying.locator(".sms-status")).to_have_text(
        f"Retrying, next at {timezone.localtime(next_at):%H:%M}", timeout=15_000
    )
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 0

    travel(next_at - timedelta(seconds=1))
    message = wait_until(sent_message, timeout=60, what="the retry to be sent")
    assert next_at <= message.sent_at <= next_at + PROMISE
    assert message.attempts == 2
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1
    expect(retrying.locator(".sms-status")).to_have_text("Sent", timeout=15_000)
