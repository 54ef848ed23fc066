"""Inbound MMS downloads through a real Celery worker on Redis: the webhook's commit publishes
one task per file, the worker stores them; a download whose task was lost is published again
by the sweeper."""

import pytest

from nextal.celery import app
from sms.attachments.sweeper import sweep_attachments
from sms.models import Attachment, AttachmentStatus, Message
from tests.helpers.broker import reset_broker_pool
from tests.helpers.messages import add_message
from tests.helpers.polling import wait_until
from tests.helpers.providers import configure
from tests.sms.attachments.test_inbound_mms import JPEG, PDF, post_mms

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(celery_worker):
    reset_broker_pool(app)
    yield celery_worker
    reset_broker_pool(app)


def test_the_worker_downloads_every_file(worker, fake_provider, candidate, client):
    configure("twilio")
    media = [
        (fake_provider.add_media(JPEG, "image/jpeg"), "image/jpeg"),
        (fake_provider.add_media(PDF, "application/pdf"), "application/pdf"),
    ]

    # Stored first; the worker processes the event into a message, then downloads its files.
    sid = post_mms(client, media, body="Both sides", run=False)

    def stored():
        message = Message.objects.filter(provider_message_id=sid).first()
        return message is not None and set(
            message.attachments.values_list("status", flat=True)
        ) == {"stored"}

    wait_until(stored, timeout=30, what="the message and both of its files")
    assert len(fake_provider.requests_for("cdn.media")) == 2


def test_a_lost_download_is_published_again_by_the_sweeper(worker, fake_provider, candidate):
    configure("twilio")
    message = add_message(candidate, direction="inbound", body="", provider="twilio")
    lost = Attachment.objects.create(
        message=message,
        source_url=fake_provider.add_media(JPEG, "image/jpeg"),
        content_type="image/jpeg",
        status=AttachmentStatus.PENDING,
    )  # never published (the broker was down when the webhook committed)

    assert sweep_attachments() == 1

    wait_until(lambda: Attachment.objects.get(pk=lost.pk).status == "stored", timeout=20)
