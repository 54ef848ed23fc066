"""Handing send tasks to the broker. The task is looked up by name (registered by sms.tasks),
so the outbox and the task module do not import each other."""

from __future__ import annotations

import logging

from celery import current_app

from core.batching import chunks
from sms.models import Message, MessageStatus

logger = logging.getLogger(__name__)

SEND_TASK = "sms.send_message"


def enqueue_sends(message_ids: list[int]) -> int:
    """Publish a send task per message; returns how many were published.

    Never raises for a broker problem: the rows stay queued (the outbox) and the sweeper publishes
    them once the broker is back. Stops at the first failure instead of waiting on each message.
    """
    send_message = current_app.tasks[SEND_TASK]
    published = 0
    try:
        for message_id in message_ids:
            send_message.delay(message_id)
            published += 1
    except Exception as exc:  # kombu/redis raise several types; all mean "not published"
        remaining = message_ids[published:]
        for chunk in chunks(remaining):
            Message.objects.filter(pk__in=chunk, status=MessageStatus.QUEUED).update(
                enqueued_at=None
            )
        logger.warning(
            "Could not publish %d SMS send task(s) (%s: %s); they stay queued for the sweeper.",
            len(remaining),
            type(exc).__name__,
            exc,
        )
    return published
