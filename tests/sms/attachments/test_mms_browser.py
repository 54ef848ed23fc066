"""An inbound MMS in a real browser: the photos as thumbnails with a lightbox, the PDF as a
chip, downloaded through the real webhook, task and storage (the fake provider's media)."""

import secrets
import urllib.request
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from sms.models import Attachment, Thread
from tests.fakes.twilio_webhooks import inbound_params, signature
from tests.helpers.providers import CANDIDATE_PHONE, TWILIO_FROM
from tests.sms.attachments.test_inbound_mms import JPEG, PDF, PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_mms_shows_its_photos_and_pdf(
    page, login, screenshot, recruiter, candidate, active_twilio, fake_provider, live_server,
    settings,
):  # fmt: skip
    settings.PUBLIC_BASE_URL = live_server.url
    media = [
        (fake_provider.add_media(JPEG, "image/jpeg"), "image/jpeg"),
        (fake_provider.add_media(PNG, "image/png"), "image/png"),
        (fake_provider.add_media(PDF, "application/pdf"), "application/pdf"),
    ]
    fields = inbound_params(
        "MM" + secrets.token_hex(16), sender=CANDIDATE_PHONE, to=TWILIO_FROM, body=""
    )
    fields["NumMedia"] = "3"
    for index, (url, content_type) in enumerate(media):
        fields[f"MediaUrl{index}"], fields[f"MediaContentType{index}"] = url, content_type
    path = "/webhooks/twilio/inbound/"
    request = urllib.request.Request(  # noqa: S310 - the live test server
        live_server.url + path,
        data=urlencode(fields).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature(live_server.url + path, fields),
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
        assert response.status == 200
    assert Attachment.objects.filter(status="stored").count() == 3

    login(recruiter)
    page.goto("/inbox/")
    thread = Thread.objects.get(candidate=candidate)
    expect(page.locator(f"#thread-row-{thread.pk}")).to_contain_text("📎 3 files")
    page.goto(f"/inbox/{thread.pk}/")
    bubble = page.locator(".sms-inbound").last
    thumbs = bubble.locator("img.sms-thumb")
    expect(thumbs).to_have_count(2)
    expect(thumbs.first).to_have_attribute("loading", "lazy")
    expect(bubble.locator(".sms-file-chip")).to_contain_text("PDF")
    thumbs.first.click()
    expect(page.locator("dialog.sms-lightbox")).to_be_visible()
    screenshot("inbox-mms-lightbox")
    page.keyboard.press("Escape")
    expect(page.locator("dialog.sms-lightbox")).to_be_hidden()
