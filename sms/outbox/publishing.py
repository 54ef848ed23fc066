"""Handing send tasks to the broker. The task is looked up by name (registered by sms.tasks),
so the outbox and the task module do not import each other.

`enqueue_sends` publishes in the caller's thread, through one producer (one broker connection
for the whole list), on Redis in pipelines of PIPELINE messages (one round trip each).
`publish_in_background` is for lists too long to keep a request waiting (a bulk send): the rows
are committed first, then background threads publish them in chunks (PUBLISHERS broker
connections at once) and the request returns at once. If a publisher (or its process) dies, the
rows are still queued with `enqueued_at` set, and the sweeper publishes whatever was not
claimed once the lost-task period has passed: nothing is lost, and the claim makes a second
copy harmless.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from celery import current_app
from django.db import connections
from kombu.utils.uuid import uuid

from core.batching import chunks
from sms.models import Message, MessageStatus

logger = logging.getLogger(__name__)

SEND_TASK = "sms.send_message"
PUBLISH_CHUNK = 250
PUBLISHERS = 4
PIPELINE = 250  # publishes per Redis round trip


def enqueue_sends(message_ids: list[int]) -> int:
    """Publish a send task per message; returns how many were published.

    Never raises for a broker problem: the rows stay queued (the outbox) and the sweeper publishes
    them once the broker is back. Stops at the first failure instead of waiting on each message;
    a refused pipeline (Redis) counts as not published as a whole: what part of it reached the
    broker is unknown, and the claim makes a second copy harmless.
    """
    if current_app.conf.task_always_eager:
        return _run_in_process(message_ids)
    published = 0
    try:
        for count in _publish_all(message_ids):
            published += count
    except Exception as exc:  # kombu/redis/amqp raise several types; all mean "not published"
        remaining = message_ids[published:]
        leave_to_sweeper(remaining)
        logger.warning(
            "Could not publish %d SMS send task(s) (%s: %s); they stay queued for the sweeper.",
            len(remaining),
            type(exc).__name__,
            exc,
        )
    return published


def _run_in_process(message_ids: list[int]) -> int:
    send_message = current_app.tasks[SEND_TASK]
    for message_id in message_ids:
        send_message.delay(message_id)
    return len(message_ids)


def _publish_all(message_ids: list[int]) -> Iterator[int]:
    """Publish through one producer, PIPELINE at a time; yields how many more reached the
    broker as they do (each publish on RabbitMQ, each pipeline on Redis)."""
    if not message_ids:
        return
    task = current_app.tasks[SEND_TASK]
    limits = {"time_limit": task.time_limit, "soft_time_limit": task.soft_time_limit}
    with current_app.producer_or_acquire() as producer:
        route = current_app.amqp.router.route({}, SEND_TASK, (), {})
        for number, chunk in enumerate(chunks(message_ids, PIPELINE)):
            with pipelined(producer) as buffering:
                for position, message_id in enumerate(chunk):
                    declare = number == position == 0
                    _publish(producer, route, limits, message_id, declare=declare)
                    if not buffering:
                        yield 1
            if buffering:
                yield len(chunk)


def _publish(producer, route: dict, limits: dict, message_id: int, *, declare: bool) -> None:
    """One send task, as `apply_async` would publish it (the same message, time limits,
    signals, retry policy and confirms), without its per-message routing and argument reprs:
    the route and the task's limits are looked up once per list, and the queue declared with
    the first message."""
    amqp = current_app.amqp
    message = amqp.create_task_message(
        uuid(), SEND_TASK, (message_id,), {},
        argsrepr=f"({message_id},)", kwargsrepr="{}", ignore_result=True, **limits,
    )  # fmt: skip
    amqp.send_task_message(producer, SEND_TASK, message, declare=None if declare else [], **route)


@contextmanager
def pipelined(producer) -> Iterator[bool]:
    """On Redis, the producer's publishes inside the block are buffered and written in one
    pipeline (one round trip) when it ends; an exception inside the block sends none of them.
    Elsewhere (RabbitMQ: each publish waits for its confirm) a publish goes out at once. Yields
    whether publishes are buffered.

    Kombu's Redis channel publishes through `conn_or_acquire()`, one command per message; the
    block hands it a pipeline instead (publishing to a direct queue uses no answer)."""
    channel = producer.channel
    if producer.connection.transport.driver_type != "redis":
        yield False
        return
    with channel.conn_or_acquire() as client:
        pipeline = client.pipeline(transaction=False)

    @contextmanager
    def buffered(client=None):
        yield client if client is not None else pipeline

    channel.conn_or_acquire = buffered
    try:
        yield True
    finally:
        del channel.conn_or_acquire  # the class's own again
    pipeline.execute()


def publish_in_background(message_ids: list[int]) -> threading.Thread | None:
    """Publish after the caller returns: in a background thread, `PUBLISH_CHUNK` at a time.

    Call it after the rows are committed (`transaction.on_commit`). When tasks run in-process
    (no broker configured) they are run here and now, as every other send is. Returns the
    thread (tests and the benchmark wait on it), or None when it published inline.
    """
    if current_app.conf.task_always_eager:
        enqueue_sends(message_ids)
        return None
    thread = threading.Thread(
        target=_publish_chunks, args=(list(message_ids),), name="sms-publisher", daemon=True
    )
    thread.start()
    return thread


def leave_to_sweeper(message_ids: list[int]) -> None:
    """Not published: the next sweep publishes these (no lost-task wait)."""
    for chunk in chunks(message_ids):
        Message.objects.filter(pk__in=chunk, status=MessageStatus.QUEUED).update(enqueued_at=None)


def _publish_chunks(message_ids: list[int]) -> None:
    """Publish `PUBLISH_CHUNK` at a time on up to PUBLISHERS connections at once (publishing is
    bound by the broker's round trips, not by CPU). After a refused chunk nothing more is
    tried: the rest is left to the sweeper."""
    pending = deque(chunks(message_ids, PUBLISH_CHUNK))
    lock = threading.Lock()

    def publisher() -> None:
        try:
            while True:
                with lock:
                    if not pending:
                        return
                    chunk = pending.popleft()
                if enqueue_sends(chunk) < len(chunk):
                    # The broker refused: enqueue_sends left the rest of this chunk to the
                    # sweeper; the chunks not started are not tried (each would wait for the
                    # broker's timeout): emptied here, which stops the other publishers too.
                    with lock:
                        rest = [pk for waiting in pending for pk in waiting]
                        pending.clear()
                    leave_to_sweeper(rest)
                    return
        except Exception:
            # The rows keep `enqueued_at`: the sweeper publishes them after the lost-task period.
            logger.exception("Publishing SMS send tasks stopped")
        finally:
            connections.close_all()  # this thread's database connections

    threads = [
        threading.Thread(target=publisher, name="sms-publisher", daemon=True)
        for _ in range(min(PUBLISHERS, len(pending)))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
