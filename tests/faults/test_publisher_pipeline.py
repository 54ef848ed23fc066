"""Publishing send tasks in pipelines (sms.outbox.publishing), on a real Redis and a real
RabbitMQ: every id reaches the broker exactly once, as a task the worker reads; a publish that
fails part-way leaves everything not known to be in the broker for the sweeper, which
publishes it (once)."""

import uuid

import pytest
from amqp.exceptions import NotFound
from celery import current_app
from celery.signals import before_task_publish
from kombu import Connection, pools

from nextal.broker import is_amqp
from sms.models import Message
from sms.outbox import publishing
from sms.outbox.publishing import enqueue_sends
from sms.outbox.sweeper import sweep_outbox
from tests.faults.redis_broker import _send_task_message_id
from tests.helpers.broker import publishing_to, refuse_publish_at
from tests.helpers.messages import handed_to_the_broker

pytestmark = [pytest.mark.redis]


@pytest.fixture(autouse=True)
def fresh_connections():
    """Kombu keeps its pools per broker URL, and on each connection the queues it declared:
    the broker fixtures delete the queue, so a kept connection would not declare it again."""
    pools.reset()
    yield
    pools.reset()


def published_ids(url: str, queue: str = "celery") -> list[int]:
    """The Message ids of the send tasks waiting in the broker's `queue`, taken out as a worker
    would read them (sorted, repeats kept; none when RabbitMQ has no such queue)."""
    ids = []
    with Connection(url) as connection:
        channel = connection.default_channel
        try:
            while (got := channel.basic_get(queue, no_ack=True)) is not None:
                ids.append(_send_task_message_id({"headers": got.headers, "body": got.body}))
        except NotFound:
            return []
    return sorted(ids)


def test_every_id_is_published_exactly_once(any_broker_url, monkeypatch):
    monkeypatch.setattr(publishing, "PIPELINE", 7)
    ids = list(range(1000, 1030))  # four full pipelines and a short one
    with publishing_to(any_broker_url):
        assert enqueue_sends(ids) == 30
    assert published_ids(any_broker_url) == ids


def test_a_publish_failing_part_way_leaves_the_rest_to_the_sweeper(
    any_broker_url, monkeypatch, db, caplog
):
    monkeypatch.setattr(publishing, "PIPELINE", 4)
    real_publish = publishing._publish
    refuse_publish_at(monkeypatch, 6)
    ids = handed_to_the_broker(10)
    with publishing_to(any_broker_url):
        published = enqueue_sends(ids)
    # RabbitMQ confirmed the fifth on its own; on Redis the second pipeline never went out.
    known = 5 if is_amqp(any_broker_url) else 4
    assert published == known
    assert f"Could not publish {10 - known} SMS send task(s)" in caplog.text
    left = Message.objects.filter(pk__in=ids, enqueued_at__isnull=True)
    assert sorted(left.values_list("pk", flat=True)) == ids[known:]
    assert published_ids(any_broker_url) == ids[:known]

    monkeypatch.setattr(publishing, "_publish", real_publish)
    with publishing_to(any_broker_url):
        assert sweep_outbox().published == 10 - known
    assert published_ids(any_broker_url) == ids[known:]


@pytest.fixture
def published_headers():
    """What each published task said to `before_task_publish`: (sender, headers, declare)."""
    seen = []

    def record(sender=None, headers=None, declare=None, **_):
        seen.append((sender, headers, list(declare or [])))

    before_task_publish.connect(record, weak=False)
    yield seen
    before_task_publish.disconnect(record)


def test_each_task_is_the_message_apply_async_would_publish(
    any_broker_url, published_headers, monkeypatch
):
    """The pipeline builds its messages itself (one route look-up per list, no repr per
    message): each is still what `apply_async` publishes for the same call, with its own id,
    and only the first one of a list declares the queue."""
    monkeypatch.setattr(publishing, "PIPELINE", 2)
    ids = [501, 502, 503, 504, 505]  # three pipelines
    with publishing_to(any_broker_url):
        assert enqueue_sends(ids) == 5
        current_app.tasks[publishing.SEND_TASK].apply_async((506,))  # the task's own options
    *ours, (reference_sender, reference, reference_declare) = published_headers
    assert len(ours) == 5
    task_ids = [headers["id"] for _, headers, _ in ours]
    assert len(set(task_ids)) == 5
    for message_id, (sender, headers, _), task_id in zip(ids, ours, task_ids, strict=True):
        assert sender == reference_sender == "sms.send_message"
        assert str(uuid.UUID(task_id)) == task_id
        expected = {**reference, "id": task_id, "root_id": task_id}
        expected["argsrepr"] = f"({message_id},)"
        assert headers == expected
        assert headers["ignore_result"] is True and headers["kwargsrepr"] == "{}"
    assert [declare for _, _, declare in ours] == [reference_declare, [], [], [], []]
    assert [queue.name for queue in reference_declare] == ["celery"]
    assert published_ids(any_broker_url) == [*ids, 506]


def test_tasks_follow_the_configured_route(any_broker_url, monkeypatch):
    """A deployment routing sends to a queue of their own (`task_routes`) gets them there."""
    monkeypatch.setitem(current_app.conf, "task_routes", {"sms.send_message": {"queue": "sends"}})
    with publishing_to(any_broker_url):  # (re)builds the router from the settings
        assert enqueue_sends([601, 602]) == 2
    try:
        assert published_ids(any_broker_url, "sends") == [601, 602]
        assert published_ids(any_broker_url) == []
    finally:
        with Connection(any_broker_url) as connection:
            connection.default_channel.queue_delete("sends")
