"""Publishing Celery tasks to a real broker from inside a test, and knowing when it is idle."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from tests.helpers.polling import wait_until

if TYPE_CHECKING:
    from sms.outbox.sweeper import SweepResult


def use_broker(app, url: str) -> None:
    """Point the app at the broker at `url` with that broker's queues and options."""
    from nextal.broker import broker_settings

    app.conf.update(broker_settings(url))
    for cached in ("queues", "default_queue", "router"):  # built from the settings above
        app.amqp.__dict__.pop(cached, None)
    app.amqp._rtable = None
    reset_broker_pool(app)


def reset_broker_pool(app) -> None:
    # Celery caches the app's connection and producer pools; a changed broker URL needs fresh
    # ones (kombu keeps one pool per URL, so the previous broker's pools stay usable).
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def publishing_to(url: str):
    """Publish Celery tasks to the broker at `url` (not in-process) inside the block."""
    from nextal.celery import app

    previous = (app.conf.broker_url, app.conf.task_always_eager)
    use_broker(app, url)
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        use_broker(app, previous[0])
        app.conf.task_always_eager = previous[1]


def queue_depth(app, queue: str = "celery") -> int:
    """How many messages wait in `queue` on the app's broker (Redis or RabbitMQ); 0 when the
    queue does not exist yet."""
    from amqp.exceptions import ChannelError

    with app.connection_for_write() as connection:
        try:
            return connection.default_channel.queue_declare(queue=queue, passive=True).message_count
        except ChannelError:
            return 0


def broker_is_drained(url: str, queue: str = "celery") -> bool:
    """Every task published to the broker at `url` (Redis or RabbitMQ) was taken and
    acknowledged: nothing waits in the queue and nothing is held unacknowledged (with acks_late
    a task is acknowledged only after it ran, so a drained broker means every copy of every
    task has finished)."""
    from nextal.broker import is_amqp

    if is_amqp(url):
        from tests.helpers.rabbitmq import queue_counts

        return queue_counts(url, queue) == (0, 0)
    import redis

    client = redis.Redis.from_url(url)
    try:
        return client.llen(queue) == 0 and client.hlen("unacked") == 0
    finally:
        client.close()


def settle(url: str) -> SweepResult:
    """What "nothing is sent twice" is checked after, instead of a fixed sleep: the broker drains
    (every copy of every task ran), the sweeper looks as it would one lost-task period and one
    sweep later (re-publishing anything still queued), and the broker drains again."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from sms.outbox.sweeper import LOST_TASK_AFTER, sweep_outbox

    wait_until(lambda: broker_is_drained(url), timeout=30, what="the broker to drain")
    later = LOST_TASK_AFTER + timedelta(seconds=settings.SMS_SWEEP_INTERVAL_SECONDS)
    result = sweep_outbox(now=timezone.now() + later)
    wait_until(lambda: broker_is_drained(url), timeout=30, what="the broker to drain again")
    return result


def wait_for_publishers(timeout: float = 30) -> None:
    """Bulk sends publish from a background thread: wait until every such thread is done."""
    import threading

    wait_until(
        lambda: not any(thread.name == "sms-publisher" for thread in threading.enumerate()),
        timeout=timeout,
        what="the background publisher to finish",
    )


def refuse_publish_at(monkeypatch, refused: int) -> None:
    """Make the `refused`-th send task publish of `sms.outbox.publishing` raise ConnectionError
    (the others are published for real). `monkeypatch.undo()` or a new setattr of `_publish`
    puts the real one back."""
    from sms.outbox import publishing

    real_publish, calls = publishing._publish, []

    def publish(producer, route, limits, message_id, *, declare):
        calls.append(message_id)
        if len(calls) == refused:
            raise ConnectionError("the broker went away")
        real_publish(producer, route, limits, message_id, declare=declare)

    monkeypatch.setattr(publishing, "_publish", publish)
