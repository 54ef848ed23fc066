"""Stage automations in a real browser: a recruiter creates rules from the board, drags a card
into the stage, the fake provider receives the rendered template once; the candidate replies
before the second, delayed follow-up, which shows as cancelled and never reaches the fake."""

import re
import secrets
import urllib.request
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sms.models import Message, MessageStatus, SmsTemplate
from sms.outbox.sweeper import sweep_outbox
from tests.browser import drag
from tests.fakes.twilio_webhooks import inbound_params, signature
from tests.helpers.polling import wait_until
from tests.helpers.providers import TWILIO_FROM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADA = "+12025550101"


def post_twilio_inbound(base_url: str, sender: str, body: str) -> int:
    path = "/webhooks/twilio/inbound/"
    fields = inbound_params("SM" + secrets.token_hex(16), sender=sender, to=TWILIO_FROM, body=body)
    request = urllib.request.Request(  # noqa: S310 - the live test server
        base_url + path,
        data=urlencode(fields).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature(base_url + path, fields),
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status


def add_rule(page, *, stage, template, amount, unit, name):
    form = page.locator("form", has=page.get_by_role("heading", name="Add an automation"))
    form.get_by_label("When a candidate enters").select_option(label=stage)
    form.get_by_label("Send").select_option(label=template)
    form.get_by_label("After").fill(str(amount))
    form.get_by_label("Unit").select_option(label=unit)
    form.get_by_label("Name").fill(name)
    form.get_by_role("button", name="Add automation").click()
    expect(page.get_by_text(f"Automation “{name}” added.")).to_be_visible()


def test_a_rule_made_on_the_board_texts_a_dragged_card_once_and_a_reply_cancels_the_next(
    page,
    login,
    screenshot,
    recruiter,
    job,
    cards,
    active_twilio,
    fake_provider,
    live_server,
    settings,
    travel,
):
    settings.PUBLIC_BASE_URL = live_server.url
    SmsTemplate.objects.create(
        name="Interview invite", body="Hi {{first_name}}, shall we talk about {{job_title}}?"
    )
    SmsTemplate.objects.create(name="Follow-up", body="Hi {{first_name}}, any news?")
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    login(recruiter)
    page.goto(f"/jobs/{job.pk}/")
    page.get_by_role("link", name="Automations").click()
    expect(page.get_by_role("heading", name="Automations", exact=True)).to_be_visible()
    add_rule(
        page,
        stage="Interview",
        template="Interview invite",
        amount=0,
        unit="Minutes",
        name="Interview invite",
    )
    add_rule(page, stage="Interview", template="Follow-up", amount=1, unit="Days", name="Nudge")
    screenshot("automations-page")

    page.get_by_role("link", name=job.title).click()
    interview = job.stages.get(name="Interview")
    expect(page.locator(f'[data-rules-for="{interview.pk}"]')).to_contain_text("2")
    screenshot("board-rule-counts")
    ada = page.locator(".kcard", has=page.get_by_role("link", name="Ada Lovelace", exact=True))
    with page.expect_response(re.compile(r"/applications/\d+/move/$")) as moved:
        drag(page, ada, page.locator(f'.kcol-list[data-stage-id="{interview.pk}"]'))
    assert moved.value.ok

    wait_until(lambda: fake_provider.sends_to(ADA) == 1, timeout=15, what="the invite")
    sent = Message.objects.get(automation_rule__name="Interview invite")
    assert sent.body == "Hi Ada, shall we talk about Senior Backend Engineer?"
    assert sent.status == MessageStatus.SENT
    nudge = Message.objects.get(automation_rule__name="Nudge")
    assert nudge.status == MessageStatus.QUEUED

    assert post_twilio_inbound(live_server.url, ADA, "Yes! Tuesday?") == 200
    page.goto(f"/candidates/{cards['Ada'].candidate.pk}/")
    bubble = page.locator(f"#sms-{nudge.pk}")
    expect(bubble).to_contain_text(re.compile(r"Cancelled — Ada replied at \d\d:\d\d"))
    expect(bubble.get_by_role("button", name=re.compile("Send again"))).to_be_visible()
    expect(page.locator(f"#sms-{sent.pk}")).to_contain_text("Automated")
    expect(page.locator(".timeline")).to_contain_text(
        'Automated SMS queued by rule "Interview invite" (Senior Backend Engineer, Riley\'s job)'
    )
    screenshot("automation-cancelled-by-reply")

    travel(timezone.now() + timedelta(days=2))
    sweep_outbox()
    nudge.refresh_from_db()
    assert nudge.status == MessageStatus.CANCELED
    assert fake_provider.sends_to(ADA) == 1
    assert errors == []
