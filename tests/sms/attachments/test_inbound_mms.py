"""Inbound MMS end to end: a signed Twilio webhook with media, the downloads through the fake's
API host and its CDN, storage, the conversation and the login-checked file view."""

import secrets
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from twilio.request_validator import RequestValidator

from sms.models import Attachment, AttachmentStatus, Message, Thread
from tests.fakes.fixtures import TWILIO_SID, TWILIO_TOKEN
from tests.fakes.twilio_webhooks import inbound_params
from tests.helpers.messages import add_message
from tests.helpers.providers import CANDIDATE_PHONE, TWILIO_FROM
from tests.helpers.webhooks import processed

PNG = b"\x89PNG\r\n\x1a\n" + b"fake-png-bytes" * 10
JPEG = b"\xff\xd8\xff\xe0" + b"fake-jpeg-bytes" * 10
PDF = b"%PDF-1.7\n" + b"fake pdf body\n" * 10


def post_mms(client, media: list[tuple[str, str]], *, body: str = "", sid: str = "", run=True):
    """Twilio's webhook for an MMS with `media` [(url, content type)], correctly signed."""
    sid = sid or "MM" + secrets.token_hex(16)
    fields = inbound_params(sid, sender=CANDIDATE_PHONE, to=TWILIO_FROM, body=body)
    fields["NumMedia"] = str(len(media))
    for index, (url, content_type) in enumerate(media):
        fields[f"MediaUrl{index}"] = url
        fields[f"MediaContentType{index}"] = content_type
    path = reverse("sms:twilio_inbound")
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(
        settings.PUBLIC_BASE_URL + path, fields
    )

    def post():
        return client.post(
            path,
            data=urlencode(fields),
            content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": signature},
        )

    if not run:  # the caller runs the commit callbacks (storing, then processing)
        assert post().status_code == 200
        return sid
    with processed():  # stored first, then processed after commit (tests/helpers/webhooks.py)
        response = post()
    assert response.status_code == 200
    return Message.objects.get(provider="twilio", provider_message_id=sid)


@pytest.fixture
def receive(client, active_twilio, django_capture_on_commit_callbacks):
    """Post an MMS and run what its commit starts (the download tasks, in-process)."""

    def _receive(media, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            sid = post_mms(client, media, run=False, **kwargs)
        return Message.objects.get(provider="twilio", provider_message_id=sid)

    return _receive


def test_it_stores_all_three_media_with_credentials_only_on_the_api_host(
    receive, fake_provider, candidate, recruiter_client
):
    media = [
        (fake_provider.add_media(JPEG, "image/jpeg"), "image/jpeg"),
        (fake_provider.add_media(PNG, "image/png"), "image/png"),
        (fake_provider.add_media(PDF, "application/pdf"), "application/pdf"),
    ]
    message = receive(media, body="My work permit, both sides, and my CV")

    attachments = list(message.attachments.order_by("position"))
    assert [a.status for a in attachments] == [AttachmentStatus.STORED] * 3
    assert [a.content_type for a in attachments] == ["image/jpeg", "image/png", "application/pdf"]
    for attachment, content in zip(attachments, (JPEG, PNG, PDF), strict=True):
        with attachment.file.open("rb") as handle:  # through Django's storage API
            assert handle.read() == content
        assert attachment.size == len(content)

    api = fake_provider.requests_for("twilio.media")
    cdn = fake_provider.requests_for("cdn.media")
    assert len(api) == 3 and len(cdn) == 3
    assert {r.host for r in api} == {"api"} and {r.host for r in cdn} == {"cdn"}
    assert all(r.auth == (TWILIO_SID, TWILIO_TOKEN) for r in api)
    assert all(r.auth is None and "Authorization" not in r.headers for r in cdn)

    page = recruiter_client.get(reverse("sms:inbox_thread", args=[message.thread_id]))
    html = page.content.decode()
    for attachment in attachments:
        assert reverse("sms:attachment_file", args=[attachment.pk]) in html
    assert html.count('class="sms-thumb"') == 2
    assert "sms-file-chip" in html


def test_a_media_only_message_reads_as_a_photo(receive, fake_provider, candidate):
    message = receive([(fake_provider.add_media(JPEG, "image/jpeg"), "image/jpeg")])

    assert message.body == ""
    assert Thread.objects.get(pk=message.thread_id).last_message_preview == "📷 Photo"
    assert message.attachments.get().status == AttachmentStatus.STORED


def test_a_404_is_asked_again_until_the_media_is_there(receive, fake_provider, candidate):
    url = fake_provider.add_media(PNG, "image/png")
    fake_provider.queue("twilio.media", status=404, json={"code": 20404, "status": 404})

    message = receive([(url, "image/png")])

    attachment = message.attachments.get()
    assert attachment.status == AttachmentStatus.STORED
    assert [r.response_status for r in fake_provider.requests_for("twilio.media")] == [404, 302]


def test_media_that_stays_404_is_not_downloaded_and_the_sweeper_retries(
    receive, fake_provider, candidate, settings
):
    from sms.attachments.sweeper import sweep_attachments
    from sms.tasks import download_attachment  # noqa: F401 (the task the sweeper publishes)

    settings.SMS_MEDIA_NOT_FOUND_RETRY_DELAYS = (0.01, 0.01)
    url = fake_provider.add_media(PNG, "image/png")
    for _ in range(3):
        fake_provider.queue("twilio.media", status=404, json={"code": 20404})

    message = receive([(url, "image/png")])
    attachment = message.attachments.get()
    assert attachment.status == AttachmentStatus.FAILED
    assert "404" in attachment.reason and attachment.next_attempt_at is not None

    assert sweep_attachments(now=attachment.next_attempt_at) == 1  # in-process: runs now
    attachment.refresh_from_db()
    assert attachment.status == AttachmentStatus.STORED


def test_an_oversized_file_is_kept_as_a_link(receive, fake_provider, candidate, settings):
    settings.SMS_ATTACHMENT_MAX_BYTES = 1000
    url = fake_provider.add_media(b"x" * 1001, "image/jpeg")

    attachment = receive([(url, "image/jpeg")]).attachments.get()

    assert attachment.status == AttachmentStatus.LINK
    assert "limit" in attachment.reason
    assert not attachment.file
    assert attachment.source_url == url


def test_a_disallowed_type_is_kept_as_a_link_without_downloading(receive, fake_provider, candidate):
    url = fake_provider.add_media(b"<svg onload=alert(1)>", "image/svg+xml")
    video = fake_provider.add_media(b"\x00\x00\x00\x18ftypmp42", "video/mp4")

    message = receive([(url, "image/svg+xml"), (video, "video/mp4")])

    assert [a.status for a in message.attachments.all()] == [AttachmentStatus.LINK] * 2
    assert fake_provider.requests_for("twilio.media") == []


def test_a_file_served_with_a_disallowed_type_is_not_stored(receive, fake_provider, candidate):
    url = fake_provider.add_media(b"<html><script>x</script></html>", "text/html")

    attachment = receive([(url, "image/png")]).attachments.get()  # declared otherwise

    assert attachment.status == AttachmentStatus.LINK
    assert "text/html" in attachment.reason


def test_a_forged_media_url_on_another_host_gets_no_credentials(receive, fake_provider, candidate):
    elsewhere = f"{fake_provider.cdn_url}/2010-04-01/Accounts/{TWILIO_SID}/Messages/MM{'a' * 32}"
    other_account = fake_provider.add_media(PNG, "image/png").replace(TWILIO_SID, "AC" + "f" * 32)

    message = receive(
        [(elsewhere + f"/Media/ME{'b' * 32}", "image/png"), (other_account, "image/png")]
    )

    assert [a.status for a in message.attachments.all()] == [AttachmentStatus.LINK] * 2
    assert all(r.auth is None for r in fake_provider.requests)
    assert fake_provider.requests_for("cdn.media") == []
    assert fake_provider.requests_for("twilio.media") == []


def test_the_file_view_needs_a_login_and_never_renders_svg_inline(recruiter_client, candidate):
    message = add_message(candidate, direction="inbound", body="")
    image = Attachment(message=message, position=0, content_type="image/png", filename="a.png")
    image.file.save("a.png", ContentFile(PNG), save=False)
    image.status = AttachmentStatus.STORED
    image.save()
    svg = Attachment(message=message, position=1, content_type="image/svg+xml", filename="b.svg")
    svg.file.save("b.svg", ContentFile(b"<svg/>"), save=False)
    svg.status = AttachmentStatus.STORED
    svg.save()

    anonymous = Client().get(reverse("sms:attachment_file", args=[image.pk]))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]

    shown = recruiter_client.get(reverse("sms:attachment_file", args=[image.pk]))
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith("inline")
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert b"".join(shown.streaming_content) == PNG

    downloaded = recruiter_client.get(reverse("sms:attachment_file", args=[svg.pk]))
    assert downloaded["Content-Disposition"].startswith("attachment")
    assert "sandbox" in downloaded["Content-Security-Policy"]
