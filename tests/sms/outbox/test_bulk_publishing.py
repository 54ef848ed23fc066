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
from sms.outbox import bulk as bulk_module
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


def queued_messages(crowd, recruiter) -> list[int]:
    """Queued bulk messages, committed, their tasks not published (publishing is held)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bulk_module, "publish_in_background", lambda ids: None)
        bulk = queue_bulk(crowd, "Hi {{first_name}}", sent_by=recruiter)
    return list(bulk.messages.order_by("pk").values_list("pk", flat=True))


def test_one_publisher_goes_through_every_chunk(
    redis_url, fake_provider, crowd, recruiter, monkeypatch, caplog
):
    configure("twilio")
    ids = queued_messages(crowd, recruiter)
    monkeypatch.setattr(publishing, "PUBLISH_CHUNK", 25)
    monkeypatch.setattr(publishing, "PUBLISHERS", 1)
    real_enqueue = publishing.enqueue_sends
    published = []
    monkeypatch.setattr(
        publishing,
        "enqueue_sends",
        lambda chunk: published.append(real_enqueue(chunk)) or published[-1],
    )
    with publishing_to(redis_url):
        publishing._publish_chunks(ids)
        app.control.purge()
    assert published == [25, 25, 10]  # every chunk, each published whole
    # Published, so not handed to the sweeper early, and nothing went wrong on the way.
    assert not Message.objects.filter(pk__in=ids, enqueued_at__isnull=True).exists()
    assert [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")] == []


def test_a_refusing_broker_leaves_every_chunk_to_the_next_sweep(
    redis_down, fake_provider, crowd, recruiter, monkeypatch
):
    """Once the broker refused a chunk, the chunks not started are not tried (each would wait
    for the broker's timeout): all of them are left to the next sweep at once."""
    configure("twilio")
    ids = queued_messages(crowd, recruiter)
    monkeypatch.setattr(publishing, "PUBLISH_CHUNK", 10)
    monkeypatch.setattr(publishing, "PUBLISHERS", 2)
    real_enqueue = publishing.enqueue_sends
    tried = []
    monkeypatch.setattr(
        publishing, "enqueue_sends", lambda chunk: tried.append(chunk) or real_enqueue(chunk)
    )
    with publishing_to(redis_down):
        publishing._publish_chunks(ids)

    assert 1 <= len(tried) <= 2  # the publishers' first chunks; none of the other four
    assert Message.objects.filter(pk__in=ids, enqueued_at__isnull=True).count() == 60
    assert Message.objects.filter(pk__in=ids, status=MessageStatus.QUEUED).count() == 60


def test_a_publisher_that_fails_says_so_and_leaves_the_rows_queued(
    redis_url, crowd, recruiter, monkeypatch, caplog
):
    configure("twilio")
    ids = queued_messages(crowd, recruiter)

    publishers = []

    def failing(chunk):
        publishers.append(threading.current_thread())
        raise RuntimeError("a bug in publishing")

    monkeypatch.setattr(publishing, "enqueue_sends", failing)
    with publishing_to(redis_url):
        outer = publishing.publish_in_background(ids)
        outer.join(timeout=60)
        assert not outer.is_alive()

    # Named in logs and thread dumps; daemons, so a worker shutting down does not wait on them.
    assert (outer.name, outer.daemon) == ("sms-publisher", True)
    assert {(t.name, t.daemon) for t in publishers} == {("sms-publisher", True)}

    [record] = [r for r in caplog.records if r.name == "sms.outbox.publishing"]
    assert (record.levelname, record.getMessage()) == ("ERROR", "Publishing SMS send tasks stopped")
    assert record.exc_info[0] is RuntimeError
    # Still queued and still "published": the sweeper publishes them after the lost-task period.
    assert Message.objects.filter(pk__in=ids, enqueued_at__isnull=False).count() == 60


def test_a_refusal_stops_the_other_publishers_too(
    redis_down, fake_provider, crowd, recruiter, monkeypatch
):
    """One publisher's chunk is refused while another's went through: that other one then
    stops as well instead of trying the next chunk (which would wait for the broker too)."""
    configure("twilio")
    ids = queued_messages(crowd, recruiter)
    monkeypatch.setattr(publishing, "PUBLISH_CHUNK", 10)
    monkeypatch.setattr(publishing, "PUBLISHERS", 2)
    real_enqueue = publishing.enqueue_sends
    refused = threading.Event()
    tried = []
    lock = threading.Lock()

    def enqueue(chunk):
        with lock:
            tried.append(chunk)
            first = len(tried) == 1
        if first:  # this publisher's chunk "went through", once the other's was refused
            assert refused.wait(timeout=30)
            return len(chunk)
        published = real_enqueue(chunk)
        refused.set()
        return published

    monkeypatch.setattr(publishing, "enqueue_sends", enqueue)
    with publishing_to(redis_down):
        publishing._publish_chunks(ids)

    assert len(tried) == 2
    assert Message.objects.filter(pk__in=ids, enqueued_at__isnull=True).count() == 50
