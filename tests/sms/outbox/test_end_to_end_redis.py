"""End to end with a real Celery worker on Redis: queue → worker → fake provider → status
webhook (stored, then processed by the worker) → delivered, for both providers; and the faults
that need a real broker."""

import json
import time
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from twilio.request_validator import RequestValidator

from nextal.celery import app
from sms.models import MessageStatus
from sms.outbox.queueing import queue_message
from sms.outbox.sweeper import sweep_outbox
from sms.tasks import send_message
from tests.fakes.fixtures import TWILIO_TOKEN
from tests.helpers.broker import broker_is_drained, publishing_to, reset_broker_pool, settle
from tests.helpers.polling import wait_until
from tests.helpers.providers import CANDIDATE_PHONE, configure

pytestmark = [
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def worker(celery_worker):
    """The shared real worker, with this process publishing to the same Redis."""
    reset_broker_pool(app)
    yield celery_worker
    reset_broker_pool(app)


def wait_for_status(message, *statuses, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.status in statuses:
            return message
        time.sleep(0.1)
    pytest.fail(f"message stayed {message.status!r}, expected one of {statuses}")


def test_twilio_queue_worker_send_callback_delivered(
    worker, fake_provider, candidate, recruiter, client
):
    configure("twilio")
    message = queue_message(candidate, "See you Monday at 10", sent_by=recruiter)
    wait_for_status(message, MessageStatus.SENT)
    assert message.provider_message_id.startswith("SM")

    (request,) = fake_provider.requests_for("twilio.send")
    callback = urlsplit(request.field("StatusCallback"))
    path = f"{callback.path}?{callback.query}"
    fields = {
        "MessageSid": message.provider_message_id,
        "MessageStatus": "delivered",
        "AccountSid": request.auth[0],
        "From": request.field("From"),
        "To": CANDIDATE_PHONE,
    }
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(
        settings.PUBLIC_BASE_URL + path, fields
    )
    response = client.post(
        path,
        data=urlencode(fields),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 204
    # The callback is stored, acknowledged, then processed by the worker.
    wait_for_status(message, MessageStatus.DELIVERED)
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1


def test_clicksend_queue_worker_send_receipt_delivered(
    worker, fake_provider, candidate, recruiter, client
):
    integration = configure("clicksend")
    message = queue_message(candidate, "See you Monday at 10", sent_by=recruiter)
    wait_for_status(message, MessageStatus.SENT)

    receipt = {
        "message_id": message.provider_message_id,
        "status_code": "201",
        "status_text": "Delivered",
        "custom_string": str(message.pk),
        "timestamp": str(int(time.time())),
    }
    path = reverse("sms:clicksend_receipts", kwargs={"token": integration.webhook_token})
    response = client.post(path, data=json.dumps(receipt), content_type="application/json")
    assert response.status_code == 200
    # The callback is stored, acknowledged, then processed by the worker.
    wait_for_status(message, MessageStatus.DELIVERED)
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1


def test_a_task_delivered_twice_to_the_worker_sends_once(
    worker, fake_provider, candidate, recruiter, django_capture_on_commit_callbacks
):
    configure("twilio")
    fake_provider.delay = 0.3  # both copies are in flight at the same time
    message = queue_message(candidate, "Only once", sent_by=recruiter)
    send_message.delay(message.pk)
    send_message.delay(message.pk)
    wait_for_status(message, MessageStatus.SENT)
    assert settle(app.conf.broker_url).dispatched == 0  # both copies ran, nothing to resend
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_redis_down_when_saved_then_sent_once_by_the_sweeper(
    worker, fake_provider, candidate, recruiter, redis_down
):
    configure("twilio")
    with publishing_to(redis_down):
        message = queue_message(candidate, "Sent despite the outage", sent_by=recruiter)
    message.refresh_from_db()
    assert (message.status, message.enqueued_at) == (MessageStatus.QUEUED, None)
    wait_until(lambda: broker_is_drained(app.conf.broker_url), timeout=10, what="an idle worker")
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 0

    # Redis is back: the sweeper publishes it, the worker sends it, once.
    assert sweep_outbox().published == 1
    wait_for_status(message, MessageStatus.SENT)
    assert sweep_outbox().dispatched == 0
    assert settle(app.conf.broker_url).dispatched == 0
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1
