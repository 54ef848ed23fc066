"""Store-first webhooks on the real services: concurrent processors apply each event once
(PostgreSQL, `SKIP LOCKED`), and a real Celery worker on Redis turns an acknowledged reply into
a conversation the inbox shows."""

import uuid

import pytest
from django.urls import reverse

from integrations.providers.base import InboundSms
from nextal.celery import app
from sms.inbound import processing
from sms.inbound.events import publish_processing, store_events
from sms.models import Message, ProviderEvent, Thread
from tests.factories import CandidateFactory
from tests.helpers.broker import reset_broker_pool
from tests.helpers.concurrency import WORKERS, run_at_once
from tests.helpers.polling import wait_until
from tests.helpers.providers import CANDIDATE_PHONE, TWILIO_FROM, configure

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

EVENTS = 200  # several batches per processor


def replies(count):
    return [
        InboundSms(
            f"SM{uuid.uuid4().hex}", f"+1202555{i:04d}", TWILIO_FROM, f"Reply {i}", None, None, {}
        )
        for i in range(count)
    ]


def test_concurrent_processors_apply_every_event_exactly_once(monkeypatch):
    configure("twilio")
    # Stored without their tasks (which would process them in-process here).
    monkeypatch.setattr("sms.inbound.events.publish_processing", lambda ids: False)
    store_events("twilio", b"", replies(EVENTS))
    assert ProviderEvent.objects.filter(processed_at__isnull=True).count() == EVENTS

    results = run_at_once(processing.process_pending)

    assert sum(r.processed for r in results) == EVENTS
    assert sum(r.failed for r in results) == 0
    assert sum(1 for r in results if r.processed) > 1, "one processor did everything"
    assert Message.objects.filter(direction="inbound").count() == EVENTS
    assert Thread.objects.count() == EVENTS
    assert not ProviderEvent.objects.filter(processed_at__isnull=True).exists()
    assert set(ProviderEvent.objects.values_list("attempts", flat=True)) == {1}
    assert len(results) == WORKERS


@pytest.mark.redis
def test_a_worker_turns_an_acknowledged_reply_into_the_inbox_conversation(
    celery_worker, live_server, recruiter_client
):
    import requests
    from django.conf import settings

    from tests.fakes.twilio_webhooks import inbound_params, signature

    reset_broker_pool(app)
    configure("twilio")
    candidate = CandidateFactory(phone=CANDIDATE_PHONE, first_name="Ada")
    path = reverse("sms:twilio_inbound")
    fields = inbound_params(
        "SM" + uuid.uuid4().hex, sender=CANDIDATE_PHONE, to=TWILIO_FROM, body="On my way"
    )
    response = requests.post(
        live_server.url + path,
        data=fields,
        headers={"X-Twilio-Signature": signature(settings.PUBLIC_BASE_URL + path, fields)},
        timeout=10,
    )
    assert response.status_code == 200

    wait_until(
        lambda: ProviderEvent.objects.filter(processed_at__isnull=False).exists(),
        timeout=10,
        what="the worker processing the event",
    )
    inbox = recruiter_client.get(reverse("sms:inbox"))
    assert "On my way" in inbox.content.decode()
    assert Thread.objects.get().candidate == candidate
    reset_broker_pool(app)


@pytest.mark.redis
def test_publications_coalesce_and_every_event_is_processed(celery_worker, monkeypatch):
    from celery import current_app

    from sms.inbound.events import PROCESS_TASK, PROCESSING_FLAG, _flags

    reset_broker_pool(app)
    configure("twilio")
    task = current_app.tasks[PROCESS_TASK]
    published = []
    real_delay = task.delay
    monkeypatch.setattr(
        task, "delay", lambda ids, **kw: published.append(ids) or real_delay(ids, **kw)
    )

    for event in replies(30):  # 30 webhooks, each committed and published on its own
        store_events("twilio", b"", [event])

    wait_until(
        lambda: not ProviderEvent.objects.filter(processed_at__isnull=True).exists(),
        timeout=30,
        what="every event processed",
    )
    assert Message.objects.filter(direction="inbound").count() == 30
    assert 1 <= len(published) < 30
    wait_until(lambda: not _flags().exists(PROCESSING_FLAG), timeout=10, what="the flag cleared")
    reset_broker_pool(app)


@pytest.mark.redis
def test_a_backlog_gets_one_helper_and_both_flags_clear(celery_worker, monkeypatch):
    from celery import current_app

    from sms.inbound.events import HELPER_FLAG, PROCESS_TASK, PROCESSING_FLAG, _flags

    reset_broker_pool(app)
    configure("twilio")
    # A backlog: stored without their tasks (a worker was down), then one webhook's task.
    with monkeypatch.context() as unpublished:
        unpublished.setattr("sms.inbound.events.publish_processing", lambda ids: False)
        store_events("twilio", b"", replies(3 * processing.BATCH_SIZE))
    task = current_app.tasks[PROCESS_TASK]
    published = []
    real_delay = task.delay
    monkeypatch.setattr(
        task, "delay", lambda ids, **kw: published.append(kw) or real_delay(ids, **kw)
    )
    publish_processing([])

    wait_until(
        lambda: not ProviderEvent.objects.filter(processed_at__isnull=True).exists(),
        timeout=60,
        what="every event processed",
    )
    assert Message.objects.filter(direction="inbound").count() == 3 * processing.BATCH_SIZE
    # The first task found a full batch and asked for one helper, once.
    assert published == [{}, {"helper": True}]
    wait_until(
        lambda: not _flags().exists(PROCESSING_FLAG) and not _flags().exists(HELPER_FLAG),
        timeout=10,
        what="both flags cleared",
    )
    reset_broker_pool(app)
