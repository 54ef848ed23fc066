"""Bulk sends publish off the request, on a real Redis broker: the request commits the rows and
returns, a background thread publishes them in chunks, and if that publisher dies the sweeper
publishes what it did not (a real worker then sends every message exactly once)."""

import os
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from nextal.celery import app
from sms.models import Message, MessageStatus
from sms.outbox import publishing
from sms.outbox.bulk import queue_bulk
from sms.outbox.sweeper import LOST_TASK_AFTER, sweep_outbox
from tests.factories import CandidateFactory
from tests.helpers.broker import publishing_to, queue_depth, reset_broker_pool, settle
from tests.helpers.polling import wait_until
from tests.helpers.providers import configure
from tests.helpers.services import unavailable

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def broker_depth() -> int:
    return queue_depth(app)


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        unavailable("needs Redis: set REDIS_URL=redis://...")
    return url


@pytest.fixture
def crowd(transactional_db):
    return CandidateFactory.create_batch(60)


def test_the_request_returns_before_the_tasks_are_published(
    redis_url, fake_provider, crowd, recruiter, monkeypatch
):
    configure("twilio")
    monkeypatch.setattr(publishing, "PUBLISH_CHUNK", 25)
    release = threading.Event()
    real_enqueue = publishing.enqueue_sends
    chunks = []

    def held_enqueue(ids):
        release.wait(timeout=60)  # the publishers wait until the test has looked
        chunks.append(len(ids))
        return real_enqueue(ids)

    monkeypatch.setattr(publishing, "enqueue_sends", held_enqueue)
    with publishing_to(redis_url):
        app.control.purge()
        bulk = queue_bulk(crowd, "Hi {{first_name}}", sent_by=recruiter)
        # Returned, with every row committed (this test's connection autocommits) and nothing
        # published yet.
        assert Message.objects.filter(bulk_send=bulk, status=MessageStatus.QUEUED).count() == 60
        assert broker_depth() == 0
        release.set()
        wait_until(lambda: broker_depth() == 60, timeout=30, what="60 tasks published")
        assert sorted(chunks) == [10, 25, 25]
        app.control.purge()


# The dying publishers' SystemExit is what this test is about, not a thread that went wrong.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_publisher_that_dies_loses_nothing(
    redis_url, celery_worker, fake_provider, crowd, recruiter, monkeypatch
):
    configure("twilio")
    reset_broker_pool(app)
    monkeypatch.setattr(publishing, "PUBLISH_CHUNK", 20)
    real_enqueue = publishing.enqueue_sends
    calls = []
    lock = threading.Lock()

    def dying_enqueue(ids):
        with lock:
            calls.append(ids)
            first = len(calls) == 1
        if not first:
            raise SystemExit  # the process is going away: not an error anyone catches
        return real_enqueue(ids)

    monkeypatch.setattr(publishing, "enqueue_sends", dying_enqueue)
    bulk = queue_bulk(crowd, "Hi {{first_name}}", sent_by=recruiter)
    wait_until(lambda: len(calls) == 3, timeout=30, what="the publishers to die")
    wait_until(
        lambda: Message.objects.filter(bulk_send=bulk, status=MessageStatus.SENT).count() == 20,
        timeout=60,
        what="the first chunk to be sent",
    )
    # Nothing else was published: the rest waits (still "published", for the lost-task period).
    waiting = Message.objects.filter(bulk_send=bulk, status=MessageStatus.QUEUED)
    assert waiting.count() == 40
    assert sweep_outbox().dispatched == 0  # not yet: they might still be on their way
    later = timezone.now() + LOST_TASK_AFTER + timedelta(seconds=1)
    assert sweep_outbox(now=later).published == 40
    settle(redis_url)
    assert Message.objects.filter(bulk_send=bulk, status=MessageStatus.SENT).count() == 60
    sends = fake_provider.sends_by_reference()
    assert len(sends) == 60 and set(sends.values()) == {1}
    assert LOST_TASK_AFTER.total_seconds() == settings.SMS_LOST_TASK_AFTER_SECONDS
