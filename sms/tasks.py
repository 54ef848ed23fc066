"""Celery tasks of the SMS pipeline. They take ids only (never bodies or credentials) and
re-read everything from the database; the rules live in sms/outbox/.

Registered when the app is ready (SmsConfig.ready); the outbox publishes them by name. The
sweeper runs every SMS_SWEEP_INTERVAL_SECONDS under `celery beat` (nextal/settings.py).
"""

from celery import shared_task

from sms.assignment import wake_snoozed
from sms.attachments.downloading import download_attachment as download
from sms.attachments.sweeper import sweep_attachments
from sms.outbox.sending import send_queued_message
from sms.outbox.sweeper import sweep_outbox as sweep
from sms.reply_alerts import send_reply_alerts


@shared_task(name="sms.send_message", ignore_result=True)
def send_message(message_id: int) -> str:
    """Send one queued message. A duplicate or redelivered task finds it claimed and stops."""
    return send_queued_message(message_id)


@shared_task(name="sms.sweep_outbox", ignore_result=True)
def sweep_outbox() -> dict:
    """Re-publish lost sends, dispatch due scheduled messages and retries, expire stuck sends;
    re-publish lost and due attachment downloads."""
    result = sweep()
    return {
        "dispatched": result.dispatched,
        "published": result.published,
        "marked_unknown": result.marked_unknown,
        "attachments": sweep_attachments(),
        "woken": wake_snoozed(),
        "reply_alerts": send_reply_alerts(),
    }


@shared_task(name="sms.download_attachment", ignore_result=True)
def download_attachment(attachment_id: int) -> str:
    """Download one MMS file into storage (credentials only for the provider's own media)."""
    return download(attachment_id)
