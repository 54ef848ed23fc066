"""The body of the send task: claim one queued message, send it through the active provider,
record the outcome.

The claim is one conditional UPDATE (`queued` → `sending`, sms.outbox.claiming), so a
redelivered or duplicated task finds the row taken and sends nothing. The rules are asked again
before the provider call (`eligibility.send_time_check`): an opt-out since queueing fails it,
and a message that would now arrive inside quiet hours (a retry, a long queue) goes back to the
outbox until the window opens in the candidate's time. The provider is the one active *now*:
switching provider while messages wait sends them through the new one; turning SMS off fails
them with the reason. Failures are classified by the adapter: transient ones go back to the
outbox with a backoff (the sweeper dispatches them), ambiguous ones become "outcome unknown"
and are never resent.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from candidates.models import TimelineEvent
from candidates.services import record_events
from integrations import active
from integrations.models import Integration
from integrations.providers import provider_for
from integrations.providers.base import OutboundSms, ProviderError, SendResult, public_url
from sms.attachments.outgoing import public_media_urls
from sms.eligibility import (
    Hold,
    destination_block,
    provider_block,
    send_time_check,
)
from sms.models import (
    Direction,
    HeldFor,
    Message,
    MessageStatus,
    OptOut,
    Thread,
    author_name,
)
from sms.optouts import set_opt_out
from sms.outbox.claiming import claim_and_load
from sms.outbox.outcome import save_sent
from sms.text.cleaning import clean, json_safe, quote
from sms.text.segments import measure

logger = logging.getLogger(__name__)

# Transient failures (429, connection refused) are retried this many attempts in total, waiting
# up to 30, 60, 120 and 240 s between them (or longer when the provider says so).
MAX_SEND_ATTEMPTS = 5
RETRY_BASE_SECONDS = 30
OUTCOME_UNKNOWN = "Outcome unknown: the provider may have sent it. Not resent automatically."


def retry_delay(attempts: int, retry_after: float | None) -> float:
    """Exponential backoff with jitter (half fixed, half random), at least Retry-After.

    There is no separate cap: with MAX_SEND_ATTEMPTS the longest wait is the last retry's 240 s.
    """
    ceiling = RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    delay = ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - not cryptographic
    return max(delay, retry_after or 0)


def _fail(message: Message, reason: str, code: str, *, before_sending=False) -> None:
    """Fail the message (the thread's `changed_at` follows by trigger). `before_sending`: the
    rules refused it before any provider call; on a first attempt the provider the claim
    expected is cleared again, as it never went there (provider health counts per provider)."""
    fields = {}
    if before_sending and message.attempts <= 1:
        fields = {"provider": "", "from_number": ""}
    Message.objects.filter(pk=message.pk).advance(
        MessageStatus.FAILED, error_code=clean(code, 40), error_message=reason[:500], **fields
    )


def send_queued_message(message_id: int) -> str:
    """Claim and send one queued message; returns the outcome ("skipped", or the new status).

    The warm path is two round trips on PostgreSQL: the claim with the load (claiming.py), and
    the outcome with its timeline entry as one statement (the thread follows by trigger);
    elsewhere the claim and the load are two statements and the outcome a transaction of two.
    The integration comes from this process's copy, checked against the load query's version of
    it (integrations.active).
    """
    expected = active.peek()
    message = claim_and_load(
        message_id,
        provider=expected.kind if expected else "",
        sender=expected.sender if expected else "",
    )
    if message is None:
        return "skipped"
    integration = active.sending_integration(
        message.active_integration_id, message.active_integration_updated_at
    )
    block = provider_block(integration)
    if block:
        _fail(message, block.reason, code="sms_turned_off", before_sending=True)
        return MessageStatus.FAILED
    block = destination_block(integration, message.to_number)
    if block:  # the sender changed while the message waited
        _fail(message, "Not sent: " + block.reason, code="alpha_sender_region", before_sending=True)
        return MessageStatus.FAILED
    standing = message.standing_opt_out_id
    check = send_time_check(
        message,
        now=timezone.now(),
        opt_out=OptOut.objects.get(pk=standing) if standing else None,
    )
    if check.block:
        _fail(message, check.block.reason, code=check.code, before_sending=True)
        return MessageStatus.FAILED
    if check.hold:
        _hold(message, check.hold)
        return HELD

    provider = provider_for(integration)
    route = provider.status_callback_route
    sms = OutboundSms(
        to=message.to_number,
        body=message.body,
        sender=integration.sender,
        reference=str(message.pk),
        status_callback_url=f"{public_url(route)}?message={message.pk}" if route else None,
        media_urls=public_media_urls(message) if message.has_media else (),
    )
    if (message.provider, message.from_number) != (integration.kind, integration.sender):
        # This process's copy was missing or stale when it claimed the message.
        Message.objects.filter(pk=message.pk).update(
            provider=integration.kind, from_number=integration.sender
        )
    try:
        result = provider.send(sms)
    except ProviderError as error:
        return _record_send_error(message, integration, error)
    except Exception:
        # An unclassified failure (an adapter bug, a time limit) may come after the provider
        # accepted the message: the only safe reading is "maybe sent".
        logger.exception("Unexpected error sending SMS #%s through %s", message.pk, integration)
        _record_unknown(message, "")
        return MessageStatus.UNKNOWN
    _record_sent(message, integration, result)
    return MessageStatus.SENT


HELD = "held"


def _hold(message: Message, hold: Hold) -> None:
    """Back to the outbox until the sending window opens in the candidate's time: it is not an
    attempt (the provider was never asked)."""
    released = Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=MessageStatus.QUEUED,
        next_attempt_at=hold.until,
        enqueued_at=None,
        held_for=HeldFor.QUIET_HOURS,
        recipient_zone=hold.zone.name,
        attempts=F("attempts") - 1,
        updated_at=timezone.now(),
    )
    candidate = message.thread.candidate if message.thread else None  # a test: no thread
    if released and candidate is not None:
        record_events(
            [
                (
                    candidate.pk,
                    TimelineEvent.Kind.SMS_HELD,
                    f"{hold.describe(candidate.first_name)}: it would have arrived in quiet "
                    f"hours, {hold.zone.name} ({hold.zone.source_label})",
                    {"message_id": message.pk, "until": hold.until.isoformat()},
                )
            ]
        )


def _record_sent(message: Message, integration: Integration, result: SendResult) -> None:
    """The outcome and its timeline entry in one transaction (one statement on PostgreSQL:
    outcome.save_sent); the thread's summary follows by trigger."""
    now = timezone.now()
    accepted = (MessageStatus.SENT, MessageStatus.DELIVERED)
    status = result.status if result.status in accepted else MessageStatus.SENT
    fields = {
        "provider": integration.kind,
        "provider_message_id": clean(result.provider_message_id, 64) or None,
        "from_number": clean(result.sender, 32) or integration.sender,
        "segments": result.segments or measure(message.body).segments,
        "sent_at": now,
        "error_code": "",
        "error_message": "",
        "raw": json_safe(result.raw),
        "updated_at": now,
    }
    event = None
    candidate = message.thread.candidate if message.thread else None  # a test: no thread
    if candidate is not None:
        sender = message.sent_by.get_full_name() if message.sent_by else ""
        what = "Automated SMS sent" if message.automation_rule_id else "SMS sent"
        event = {
            "candidate_id": candidate.pk,
            "kind": TimelineEvent.Kind.SMS_SENT,
            "actor_id": message.sent_by_id,
            "description": (
                (f"{what} by {sender}: " if sender else f"{what}: ") + quote(message.body)
            )[:500],
            "data": {"message_id": message.pk, "provider": integration.kind},
            "created_at": now,
        }
    save_sent(message.pk, status, fields, event)
    if message.scheduled_for and message.thread_id:
        # A scheduled message becomes the conversation's latest when it goes out.
        Thread.objects.filter(pk=message.thread_id).show_message(
            message.body, Direction.OUTBOUND, at=now, author=author_name(message.sent_by)
        )


def _record_unknown(message: Message, detail: str, code: str = "") -> None:
    reason = f"{OUTCOME_UNKNOWN} ({detail})" if detail else OUTCOME_UNKNOWN
    Message.objects.filter(pk=message.pk).advance(
        MessageStatus.UNKNOWN, error_code=clean(code, 40), error_message=reason[:500]
    )


def _record_send_error(message: Message, integration: Integration, error: ProviderError) -> str:
    if error.ambiguous:
        _record_unknown(message, error.message, error.code)
        return MessageStatus.UNKNOWN
    if error.transient:
        attempts = message.attempts  # as the claim counted it
        if attempts < MAX_SEND_ATTEMPTS:
            retry_at = timezone.now() + timedelta(seconds=retry_delay(attempts, error.retry_after))
            # Back to the outbox: the sweeper dispatches it when `next_attempt_at` has passed.
            Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
                status=MessageStatus.QUEUED,
                next_attempt_at=retry_at,
                enqueued_at=None,
                error_code=clean(error.code, 40),
                error_message=f"{error.message} Retrying automatically."[:500],
                updated_at=timezone.now(),
            )
            return MessageStatus.QUEUED
        _fail(message, f"{error.message} Gave up after {attempts} attempts.", error.code)
        return MessageStatus.FAILED
    _fail(message, error.message, error.code)
    if error.opted_out:
        set_opt_out(
            message.to_number,
            opted_out=True,
            source=OptOut.Source.PROVIDER,
            detail=f"{integration.get_kind_display()} error {error.code}".strip(),
            provider=integration.kind,
        )
    return MessageStatus.FAILED
