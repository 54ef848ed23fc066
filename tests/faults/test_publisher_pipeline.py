"""Publishing send tasks in pipelines (sms.outbox.publishing), on a real Redis and a real
RabbitMQ: every id reaches the broker exactly once, as a task the worker reads; a publish that
fails part-way leaves everything not known to be in the broker for the sweeper, which
publishes it (once)."""

import pytest
from kombu import Connection, pools

from nextal.broker import is_amqp
from sms.models import Message, MessageStatus
from sms.outbox import publishing
from sms.outbox.publishing import enqueue_sends
from sms.outbox.sweeper import sweep_outbox
from tests.factories import CandidateFactory
from tests.faults.redis_broker import _send_task_message_id
from tests.helpers.broker import publishing_to
from tests.helpers.messages import add_message

pytestmark = [pytest.mark.redis]


@pytest.fixture(autouse=True)
def fresh_connections():
    """Kombu keeps its pools per broker URL, and on each connection the queues it declared:
    the broker fixtures delete the queue, so a kept connection would not declare it again."""
    pools.reset()
    yield
    pools.reset()


def published_ids(url: str) -> list[int]:
    """The Message ids of the send tasks waiting in the broker, taken out as a worker would
    read them (sorted, repeats kept)."""
    ids = []
    with Connection(url) as connection:
        channel = connection.default_channel
        while (message := channel.basic_get("celery", no_ack=True)) is not None:
            ids.append(_send_task_message_id({"headers": message.headers, "body": message.body}))
    return sorted(ids)


def test_every_id_is_published_exactly_once(any_broker_url, monkeypatch):
    monkeypatch.setattr(publishing, "PIPELINE", 7)
    ids = list(range(1000, 1030))  # four full pipelines and a short one
    with publishing_to(any_broker_url):
        assert enqueue_sends(ids) == 30
    assert published_ids(any_broker_url) == ids


@pytest.fixture
def queued_rows(db):
    candidate = CandidateFactory()
    return [
        add_message(candidate, direction="outbound", status=MessageStatus.QUEUED, body=f"#{n}")
        for n in range(10)
    ]


def test_a_publish_failing_part_way_leaves_the_rest_to_the_sweeper(
    any_broker_url, monkeypatch, queued_rows, caplog
):
    monkeypatch.setattr(publishing, "PIPELINE", 4)
    real_publish, calls = publishing._publish, []

    def refused_at_the_sixth(producer, route, message_id, *, declare):
        calls.append(message_id)
        if len(calls) == 6:
            raise ConnectionError("the broker went away")
        real_publish(producer, route, message_id, declare=declare)

    monkeypatch.setattr(publishing, "_publish", refused_at_the_sixth)
    ids = [message.pk for message in queued_rows]
    Message.objects.filter(pk__in=ids).update(enqueued_at=queued_rows[0].created_at)
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
