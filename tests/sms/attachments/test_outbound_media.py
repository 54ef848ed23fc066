"""Outbound media: a photo or PDF attached in the composer goes as an MMS; Twilio gets a
signed, expiring URL under PUBLIC_BASE_URL (which works without a login, only while valid),
ClickSend its MMS API; the allow-list and size bound are checked by the file's own bytes."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from integrations.providers.clicksend import MMS_SUBJECT, SOURCE
from sms.models import Attachment, AttachmentStatus, Message, Thread
from tests.helpers.providers import CANDIDATE_PHONE

PNG = b"\x89PNG\r\n\x1a\n" + b"png-bytes" * 20
PDF = b"%PDF-1.7\n" + b"pdf" * 20
GIF = b"GIF89a" + b"gif" * 20


def compose(client, candidate, *, body="", file=None, callbacks=None):
    data = {"body": body, "action": "send"}
    if file is not None:
        data["attachment"] = file
    url = reverse("sms:send_to_candidate", args=[candidate.pk])
    if callbacks is None:
        return client.post(url, data)
    with callbacks(execute=True):
        return client.post(url, data)


def public_path(url: str) -> str:
    assert url.startswith(settings.PUBLIC_BASE_URL + "/media/sms/")
    return url.removeprefix(settings.PUBLIC_BASE_URL)


def test_a_photo_goes_to_twilio_as_a_signed_expiring_url(
    recruiter_client, candidate, active_twilio, fake_provider, django_capture_on_commit_callbacks
):
    photo = SimpleUploadedFile("permit.png", PNG, content_type="image/png")

    compose(
        recruiter_client,
        candidate,
        body="Here is the site map",
        file=photo,
        callbacks=django_capture_on_commit_callbacks,
    )

    message = Message.objects.get(direction="outbound")
    assert message.status == "sent"
    attachment = message.attachments.get()
    assert (attachment.status, attachment.content_type, attachment.size) == (
        "stored",
        "image/png",
        len(PNG),
    )
    (send,) = fake_provider.requests_for("twilio.send")
    (media_url,) = send.form["MediaUrl"]
    assert send.field("Body") == "Here is the site map"
    served = Client().get(public_path(media_url))  # no login: the provider fetches it
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == PNG
    assert served["Content-Type"] == "image/png"
    with time_machine.travel(timezone.now() + timedelta(seconds=3601)):
        assert Client().get(public_path(media_url)).status_code == 404
    forged = public_path(media_url)[:-3] + "xyz/"
    assert Client().get(forged).status_code == 404


def test_a_media_only_message_reads_as_a_photo(
    recruiter_client, candidate, active_twilio, fake_provider, django_capture_on_commit_callbacks
):
    compose(
        recruiter_client,
        candidate,
        file=SimpleUploadedFile("a.png", PNG, content_type="image/png"),
        callbacks=django_capture_on_commit_callbacks,
    )

    assert Thread.objects.get(candidate=candidate).last_message_preview == "📷 Photo"
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1


def test_clicksend_gets_its_mms_api(
    recruiter_client,
    candidate,
    active_clicksend,
    fake_provider,
    django_capture_on_commit_callbacks,
):
    compose(
        recruiter_client,
        candidate,
        body="The site map",
        file=SimpleUploadedFile("map.gif", GIF, content_type="image/gif"),
        callbacks=django_capture_on_commit_callbacks,
    )

    (send,) = fake_provider.requests_for("clicksend.mms_send")
    assert send.json["media_file"].startswith(settings.PUBLIC_BASE_URL + "/media/sms/")
    (sent,) = send.json["messages"]
    assert sent["body"] == "The site map"
    assert sent["to"] == candidate.phone
    assert sent["from"] == active_clicksend.phone_number
    assert (sent["subject"], sent["source"]) == (MMS_SUBJECT, SOURCE)
    assert fake_provider.requests_for("clicksend.send") == []
    assert Message.objects.get(direction="outbound").status == "sent"


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("page.html", b"<html><script>alert(1)</script>", "Attach a JPEG, PNG or GIF image"),
        ("fake.png", b"MZ\x90\x00 not a png", "Attach a JPEG, PNG or GIF image"),
        ("huge.png", b"\x89PNG\r\n\x1a\n" + b"x" * 2000, "attach at most"),
    ],
)
def test_the_composer_refuses_other_files_and_large_ones(
    recruiter_client, candidate, active_twilio, settings, name, content, error
):
    settings.SMS_ATTACHMENT_MAX_BYTES = 1000
    upload = SimpleUploadedFile(name, content, content_type="image/png")

    response = recruiter_client.post(
        reverse("sms:send_to_candidate", args=[candidate.pk]),
        {"body": "See attached", "action": "send", "attachment": upload},
        headers={"HX-Request": "true"},
    )

    assert error in response.content.decode()
    assert not Message.objects.exists()
    assert not Attachment.objects.exists()


def test_an_inbound_file_never_gets_a_public_url(candidate):
    from django.core import signing

    from sms.attachments.outgoing import SALT, attachment_for_token
    from tests.helpers.messages import add_message

    message = add_message(candidate, direction="inbound", body="")
    inbound = Attachment(message=message, content_type="image/png", public_nonce="n")
    inbound.file.save("in.png", SimpleUploadedFile("in.png", PNG), save=False)
    inbound.status = AttachmentStatus.STORED
    inbound.save()
    token = signing.TimestampSigner(salt=SALT).sign(f"{inbound.pk}.n")

    assert attachment_for_token(token) is None
    assert Client().get(reverse("sms:public_media", args=[token])).status_code == 404


def test_clicksend_refuses_a_png_before_queueing(recruiter_client, candidate, active_clicksend):
    response = recruiter_client.post(
        reverse("sms:send_to_candidate", args=[candidate.pk]),
        {
            "body": "Map",
            "action": "send",
            "attachment": SimpleUploadedFile("a.png", PNG, content_type="image/png"),
        },
        headers={"HX-Request": "true"},
    )

    assert "ClickSend sends only JPEG and GIF images by MMS" in response.content.decode()
    assert not Message.objects.exists()


def test_retrying_a_failed_mms_sends_the_file_again(
    recruiter_client, candidate, active_twilio, fake_provider, django_capture_on_commit_callbacks
):
    fake_provider.queue_twilio_error(21612)  # the first attempt is refused
    compose(
        recruiter_client,
        candidate,
        file=SimpleUploadedFile("a.png", PNG, content_type="image/png"),
        callbacks=django_capture_on_commit_callbacks,
    )
    failed = Message.objects.get(direction="outbound")
    assert failed.status == "failed"

    with django_capture_on_commit_callbacks(execute=True):
        recruiter_client.post(reverse("sms:message_retry", args=[failed.pk]))

    retry = Message.objects.get(retry_of=failed)
    assert retry.status == "sent"
    assert retry.attachments.get().file.name == failed.attachments.get().file.name
    assert len(fake_provider.requests_for("twilio.send")[-1].form["MediaUrl"]) == 1
