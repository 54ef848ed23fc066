"""Publishing Celery tasks to a real broker from inside a test."""

from contextlib import contextmanager


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
    app.conf.broker_url, app.conf.task_always_eager = url, False
    reset_broker_pool(app)
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = previous
        reset_broker_pool(app)
