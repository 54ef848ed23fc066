"""Exporting a conversation: the CSV (every message, attachments, formulas quoted) and the
printable page."""

import csv
import io

from django.urls import reverse

from sms.models import Attachment, AttachmentStatus
from tests.factories import CandidateFactory
from tests.helpers.messages import add_message


def test_the_csv_has_every_message_oldest_first_and_quotes_formulas(recruiter_client, recruiter):
    ada = CandidateFactory(first_name="Ada", last_name="Lovelace")
    add_message(ada, body="Hi Ada, are you free Thursday?", sent_by=recruiter)
    photo = add_message(ada, direction="inbound", body='=HYPERLINK("http://x")')
    Attachment.objects.create(
        message=photo,
        position=0,
        content_type="video/mp4",
        status=AttachmentStatus.LINK,
        source_url="https://api.twilio.com/media/1",
    )

    response = recruiter_client.get(reverse("sms:export_csv", args=[photo.thread_id]))

    assert response["Content-Disposition"].startswith("attachment")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, first, second = list(csv.reader(io.StringIO(text)))
    assert header[:3] == ["time", "direction", "from"]
    assert first[1] == "outbound" and first[6] == "Hi Ada, are you free Thursday?"
    assert first[4] == "Riley Recruiter"
    assert second[4] == "Ada Lovelace"
    assert second[6].startswith("'=HYPERLINK")
    assert "Video (video/mp4) kept as a link: https://api.twilio.com/media/1" in second[7]


def test_the_printable_page_lists_the_conversation(recruiter_client, recruiter):
    ada = CandidateFactory(first_name="Ada", last_name="Lovelace")
    message = add_message(ada, body="See you Thursday", sent_by=recruiter)

    page = recruiter_client.get(reverse("sms:export_print", args=[message.thread_id]))

    html = page.content.decode()
    assert "SMS conversation with Ada Lovelace" in html
    assert "See you Thursday" in html and "1 message " in html


def test_exports_need_the_right_to_read_conversations(outsider_client):
    message = add_message(CandidateFactory(), body="Private")
    response = outsider_client.get(reverse("sms:export_csv", args=[message.thread_id]))
    assert response.status_code == 403
