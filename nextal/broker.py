"""The Celery settings that depend on the broker: RabbitMQ (amqp://) or Redis.

Used by nextal/settings.py, and by tests that point the app at another broker
(`app.conf.update(broker_settings(url))`), in Celery's own (lower-case) names.

- RabbitMQ: one durable **quorum** queue (replicated by the broker, survives its restart),
  **publisher confirms** (a publish returns only once the broker holds the message; one that
  is not confirmed raises, and the row waits for the sweeper), acks late (settings). Quorum
  queues refuse a global QoS: `worker_detect_quorum_queues` makes Celery use per-consumer
  prefetch instead.
- Redis: a visibility timeout longer than any task, and short socket timeouts so that a hung
  Redis cannot hold a recruiter's request.

Both fail a publish fast (one retry) when the broker is down: the outbox row is what counts.
"""

from __future__ import annotations

AMQP_SCHEMES = ("amqp://", "amqps://", "pyamqp://")
QUEUE = "celery"

_PUBLISH_RETRIES = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}


def is_amqp(url: str) -> bool:
    return url.startswith(AMQP_SCHEMES)


def broker_settings(url: str) -> dict:
    """Celery settings (lower-case names) for the broker at `url`."""
    if is_amqp(url):
        return {
            "broker_url": url,
            "task_default_queue": QUEUE,
            # Declared durable with x-queue-type=quorum.
            "task_default_queue_type": "quorum",
            "worker_detect_quorum_queues": True,
            "broker_transport_options": {
                **_PUBLISH_RETRIES,
                "confirm_publish": True,
                "connect_timeout": 2,
                "read_timeout": 5,
                "write_timeout": 5,
            },
        }
    return {
        "broker_url": url,
        "task_default_queue": QUEUE,
        "task_default_queue_type": "classic",
        "worker_detect_quorum_queues": True,
        "broker_transport_options": {
            **_PUBLISH_RETRIES,
            # Longer than the longest task (CELERY_TASK_TIME_LIMIT) so Redis never hands a
            # running task to a second worker. Countdowns must stay far below it (retries are
            # scheduled in the database).
            "visibility_timeout": 3600,
            "socket_connect_timeout": 2,
            # A hung Redis (accepts, never answers) holds a publish for about 5 x socket_timeout
            # because redis-py retries under kombu's retry: 1 s keeps a recruiter's request
            # under ~6 s (measured in tests/faults/test_redis_outage.py; 5 s gave 25.6 s).
            "socket_timeout": 1,
        },
    }
