"""Handing send tasks to the broker. The task is looked up by name (registered by sms.tasks),
so the outbox and the task module do not import each other.

`enqueue_sends` publishes in the caller's thread, through one producer (one broker connection
for the whole list). `publish_in_background` is for lists too long to keep a request waiting
(a bulk send): the rows are committed first, then background threads publish them in chunks
(PUBLISHERS broker connections at once) and the request returns at once. If a publisher (or
its process) dies, the rows are still queued with `enqueued_at` set, and the sweeper publishes
whatever was not claimed once the lost-task period has passed: nothing is lost, and the claim
makes a second copy harmless.
"""

from __future__ import annotations

import logging
import threading
from collections import deque

from celery import current_app
from django.db import connections

from core.batching import chunks
from sms.models import Message, MessageStatus

logger = logging.getLogger(__name__)

SEND_TASK = "sms.send_message"
PUBLISH_CHUNK = 250
PUBLISHERS = 4


def enqueue_sends(message_ids: list[int]) -> int:
    """Publish a send task per message; returns how many were published.

    Never raises for a broker problem: the rows stay queued (the outbox) and the sweeper publishes
    them once the broker is back. Stops at the first failure instead of waiting on each message.
    """
    send_message = current_app.tasks[SEND_TASK]
    published = 0
    try:
        if message_ids and not current_app.conf.task_always_eager:
            with current_app.producer_or_acquire() as producer:
                for message_id in message_ids:
                    send_message.apply_async((message_id,), producer=producer)
                    published += 1
        else:
            for message_id in message_ids:
                send_message.delay(message_id)
                published += 1
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
    stopped = [False]

    def publisher() -> None:
        try:
            while True:
                with lock:
                    if stopped[0] or not pending:
                        return
                    chunk = pending.popleft()
                if enqueue_sends(chunk) < len(chunk):
                    # The broker refused: enqueue_sends left the rest of this chunk to the
                    # sweeper; the chunks not started are not tried (each would wait for the
                    # broker's timeout).
                    with lock:
                        stopped[0] = True
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
