"""Celery tasks of the SMS pipeline. They take ids only (never bodies or credentials) and
re-read everything from the database; the rules live in sms/outbox/.

Registered when the app is ready (SmsConfig.ready); the outbox publishes them by name. The
sweeper runs every SMS_SWEEP_INTERVAL_SECONDS under `celery beat` (nextal/settings.py).
"""

from celery import shared_task

from sms.assignment import wake_snoozed
from sms.attachments.downloading import download_attachment as download
from sms.attachments.sweeper import sweep_attachments
from sms.inbound.events import publish_processing, release_processing_flag, request_helper
from sms.inbound.processing import process_pending, sweep_events
from sms.outbox.sending import send_queued_message
from sms.outbox.sweeper import sweep_outbox as sweep
from sms.reply_alerts import send_reply_alerts


@shared_task(name="sms.send_message", ignore_result=True)
def send_message(message_id: int) -> str:
    """Send one queued message. A duplicate or redelivered task finds it claimed and stops."""
    return send_queued_message(message_id)


@shared_task(name="sms.process_provider_events", ignore_result=True)
def process_provider_events(event_ids: list[int] | None = None, helper: bool = False) -> dict:
    """Process stored webhook events: those published (`event_ids`) and whatever else is
    pending, in batches. A duplicate task finds them processed (or locked) and stops. Finding a
    backlog, it asks for a helper (`helper`: this task is one). Past its time budget it hands
    over to a new task; otherwise it clears its flag and looks once more (for events stored
    while it ran)."""
    result = process_pending(on_backlog=None if helper else request_helper)
    if not result.more:
        release_processing_flag(helper=helper)
        last = process_pending()
        result = type(result)(
            result.processed + last.processed, result.failed + last.failed, last.more
        )
    if result.more:
        publish_processing([], coalesce=False, helper=helper)
    return {"processed": result.processed, "failed": result.failed}


@shared_task(name="sms.sweep_outbox", ignore_result=True)
def sweep_outbox() -> dict:
    """Re-publish lost sends, dispatch due scheduled messages and retries, expire stuck sends;
    re-publish lost and due attachment downloads; process webhook events whose task was lost and
    retry failed ones."""
    result = sweep()
    events = sweep_events()
    return {
        "dispatched": result.dispatched,
        "published": result.published,
        "marked_unknown": result.marked_unknown,
        "attachments": sweep_attachments(),
        "woken": wake_snoozed(),
        "reply_alerts": send_reply_alerts(),
        "events_processed": events.processed,
        "events_failed": events.failed,
    }


@shared_task(name="sms.download_attachment", ignore_result=True)
def download_attachment(attachment_id: int) -> str:
    """Download one MMS file into storage (credentials only for the provider's own media)."""
    return download(attachment_id)
