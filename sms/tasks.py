"""Celery tasks of the SMS pipeline. They take ids only (never bodies or credentials) and
re-read everything from the database; the rules live in sms/services.py."""

from celery import shared_task

from nextal.celery import app
from sms import services

SWEEP_INTERVAL_SECONDS = 30.0

app.conf.beat_schedule["sms.sweep_outbox"] = {
    "task": "sms.sweep_outbox",
    "schedule": SWEEP_INTERVAL_SECONDS,
    # A sweep that waited longer than its interval is superseded by the next one.
    "options": {"expires": SWEEP_INTERVAL_SECONDS},
}


@shared_task(name="sms.send_message", ignore_result=True)
def send_message(message_id: int) -> str:
    """Send one queued message. A duplicate or redelivered task finds it claimed and stops."""
    return services.send_queued_message(message_id)


@shared_task(name="sms.sweep_outbox", ignore_result=True)
def sweep_outbox() -> dict:
    """Re-publish lost sends, dispatch due scheduled messages and retries, expire stuck sends."""
    result = services.sweep_outbox()
    return {
        "dispatched": result.dispatched,
        "published": result.published,
        "marked_unknown": result.marked_unknown,
    }
