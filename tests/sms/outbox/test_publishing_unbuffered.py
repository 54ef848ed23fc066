"""Publishing send tasks to a broker that takes each publish on its own (no Redis pipeline):
kombu's in-memory transport, a real kombu transport in this process, stands in for RabbitMQ's
one-publish-at-a-time path so that it is checked without a RabbitMQ server (the RabbitMQ
cases themselves are in tests/faults/test_publisher_pipeline.py). What is counted as
published is what reached the broker, message by message; a refusal part-way is logged with
its cause and leaves exactly the rest to the sweeper."""

import logging

import pytest
from celery import current_app
from kombu import Connection

from sms.models import Message
from sms.outbox import publishing
from sms.outbox.publishing import enqueue_sends
from tests.faults.redis_broker import _send_task_message_id
from tests.helpers.broker import publishing_to, refuse_publish_at
from tests.helpers.messages import handed_to_the_broker

MEMORY = "memory://"


def taken(queue: str = "celery") -> list[int]:
    """The Message ids of the send tasks waiting in the in-memory broker's `queue` (taken out;
    the in-memory broker is shared by the whole process)."""
    ids = []
    with Connection(MEMORY) as connection:
        channel = connection.default_channel
        while (got := channel.basic_get(queue, no_ack=True)) is not None:
            ids.append(_send_task_message_id({"headers": got.headers, "body": got.body}))
    return ids


@pytest.fixture(autouse=True)
def empty_broker():
    taken()
    taken("sends")
    yield
    taken()
    taken("sends")


def test_each_publish_counts_once():
    ids = list(range(700, 707))
    with publishing_to(MEMORY):
        assert enqueue_sends(ids) == 7
    assert taken() == ids


def test_a_refusal_part_way_counts_what_went_out_and_says_why(db, monkeypatch, caplog):
    refuse_publish_at(monkeypatch, 4)
    ids = handed_to_the_broker(6)
    with caplog.at_level(logging.WARNING, logger="sms.outbox.publishing"), publishing_to(MEMORY):
        assert enqueue_sends(ids) == 3
    assert taken() == ids[:3]
    left = Message.objects.filter(pk__in=ids, enqueued_at__isnull=True)
    assert sorted(left.values_list("pk", flat=True)) == ids[3:]
    [record] = [r for r in caplog.records if r.name == "sms.outbox.publishing"]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == (
        "Could not publish 3 SMS send task(s) (ConnectionError: the broker went away); "
        "they stay queued for the sweeper."
    )


def test_a_routing_function_is_asked_once_per_list_by_name(monkeypatch):
    """`task_routes` may hold a function (Celery calls it with the task's name, arguments,
    keyword arguments and options). The route is looked up once for the whole list, so it is
    asked by name, with an empty argument tuple and keyword dict, as for a task called with
    no arguments, and every send goes where it answers."""
    asked = []

    def route_sends(name, args, kwargs, options, task=None, **_):
        asked.append((name, args, kwargs))
        return {"queue": "sends"} if name == publishing.SEND_TASK else None

    monkeypatch.setitem(current_app.conf, "task_routes", (route_sends,))
    with publishing_to(MEMORY):  # (re)builds the router from the settings
        assert enqueue_sends([801, 802, 803]) == 3
    assert asked == [("sms.send_message", (), {})]
    assert taken("sends") == [801, 802, 803]
    assert taken() == []
