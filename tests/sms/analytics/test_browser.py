"""SMS Analytics in a real browser: with seeded messages the charts are drawn (a non-empty canvas
beside each table) and the day table matches what the database holds."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sms.models import Direction, Message, MessageStatus, SmsTemplate
from tests.factories import CandidateFactory
from tests.helpers.messages import add_message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# How many of a canvas' pixels are painted (not fully transparent).
PAINTED = """canvas => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) painted++; }
  return painted;
}"""


def seed(recruiter):
    template = SmsTemplate.objects.create(name="Interview invite", body="Hi")
    now = timezone.now()
    for day in range(5):
        when = now - dt.timedelta(days=day)
        for i in range(3 + day):
            candidate = CandidateFactory()
            status = ("delivered", "delivered", "failed", "sent", "unknown")[i % 5]
            message = add_message(
                candidate,
                status,
                provider="twilio" if i % 2 else "clicksend",
                sent_by=recruiter,
                template=template if i % 3 else None,
                sent_at=when if status in ("delivered", "sent") else None,
            )
            Message.objects.filter(pk=message.pk).update(created_at=when)
            if i % 2 == 0:
                reply = add_message(candidate, direction="inbound", provider="twilio")
                Message.objects.filter(pk=reply.pk).update(created_at=when, in_reply_to=message)


def test_the_charts_render_and_the_table_matches_the_database(
    page, login, screenshot, administrator, recruiter
):
    seed(recruiter)
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    login(administrator)
    page.goto("/administration/integrations/")
    page.locator("summary", has_text="Administration").click()
    page.get_by_role("link", name="SMS Analytics").click()
    expect(page.get_by_role("heading", name="SMS Analytics", level=1)).to_be_visible()

    for table in ("days", "recruiter", "template", "job", "provider"):
        canvas = page.locator(f'.chart-box[data-chart-table="analytics-{table}"] canvas')
        expect(canvas).to_be_visible()
        assert canvas.get_attribute("role") == "img"
        assert page.evaluate(PAINTED, canvas.element_handle()) > 500, table

    today = timezone.localdate()
    outbound = Message.objects.filter(
        direction=Direction.OUTBOUND, created_at__date=today, is_test=False
    )
    expected = [
        str(outbound.filter(sent_at__isnull=False).count()),
        str(outbound.filter(status=MessageStatus.DELIVERED).count()),
        str(outbound.filter(status__in=["failed", "undelivered"]).count()),
        str(outbound.filter(status=MessageStatus.UNKNOWN).count()),
        str(Message.objects.filter(direction=Direction.INBOUND, created_at__date=today).count()),
    ]
    row = page.locator("#analytics-days tbody tr").last  # the range ends today
    expect(row.locator("th time")).to_have_attribute("datetime", today.isoformat())
    assert row.locator("td").all_inner_texts()[:5] == expected
    total_sent = Message.objects.filter(direction=Direction.OUTBOUND, sent_at__isnull=False)
    expect(page.get_by_test_id("total-sent")).to_have_text(str(total_sent.count()))
    assert errors == []
    screenshot("sms-analytics")


def test_without_javascript_the_tables_carry_everything(page_without_js, administrator, recruiter):
    seed(recruiter)
    page = page_without_js
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(administrator.username)
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    page.goto("/administration/sms-analytics/")

    assert page.locator(".chart-box canvas").count() == 0
    assert page.locator(".chart-box").first.is_hidden()
    expect(page.locator("#analytics-recruiter tbody tr")).to_have_count(1)
    expect(page.locator("#analytics-recruiter tbody th")).to_have_text("Riley Recruiter")
