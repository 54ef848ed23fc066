"""The body of the send task: claim one queued message, send it through the active provider,
record the outcome.

The claim is one conditional UPDATE (`queued` → `sending`), so a redelivered or duplicated task
finds the row taken and sends nothing. The rules are asked again before the provider call
(`eligibility.send_time_check`): an opt-out since queueing fails it, and a message that would
now arrive inside quiet hours (a retry, a long queue) goes back to the outbox until the window
opens in the candidate's time. The provider is the one active *now*: switching provider
while messages wait sends them through the new one; turning SMS off fails them with the reason.
Failures are classified by the adapter: transient ones go back to the outbox with a backoff
(the sweeper dispatches them), ambiguous ones become "outcome unknown" and are never resent.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone

from candidates.models import TimelineEvent
from candidates.services import record_event, record_events
from integrations.models import Integration
from integrations.providers import provider_for
from integrations.providers.base import OutboundSms, ProviderError, SendResult, public_url
from sms.attachments.outgoing import public_media_urls
from sms.eligibility import (
    Hold,
    active_integration,
    destination_block,
    provider_block,
    send_time_check,
)
from sms.models import Direction, HeldFor, Message, MessageStatus, OptOut, Thread
from sms.optouts import set_opt_out
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


def claim_for_sending(message_id: int) -> bool:
    """Atomically mark a queued, due message as sending. False: someone else has it (or it is
    not due, or no longer queued): the caller must not send."""
    now = timezone.now()
    claimed = (
        Message.objects.filter(
            pk=message_id, direction=Direction.OUTBOUND, status=MessageStatus.QUEUED
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            status=MessageStatus.SENDING,
            claimed_at=now,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )
    return claimed == 1


def _touch(message: Message, now=None) -> None:
    Thread.objects.filter(pk=message.thread_id).touch(now)


def _fail(message: Message, reason: str, code: str = "") -> None:
    Message.objects.filter(pk=message.pk).advance(
        MessageStatus.FAILED, error_code=clean(code, 40), error_message=reason[:500]
    )
    _touch(message)


def send_queued_message(message_id: int) -> str:
    """Claim and send one queued message; returns the outcome ("skipped", or the new status)."""
    if not claim_for_sending(message_id):
        return "skipped"
    message = Message.objects.select_related(
        "thread__candidate", "sent_by", "confirms_opt_out"
    ).get(pk=message_id)
    _touch(message)

    integration = active_integration()
    block = provider_block(integration)
    if block:
        _fail(message, block.reason, code="sms_turned_off")
        return MessageStatus.FAILED
    block = destination_block(integration, message.to_number)
    if block:  # the sender changed while the message waited
        _fail(message, "Not sent: " + block.reason, code="alpha_sender_region")
        return MessageStatus.FAILED
    check = send_time_check(message, now=timezone.now())
    if check.block:
        _fail(message, check.block.reason, code=check.code)
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
        media_urls=public_media_urls(message),
    )
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
    _touch(message)
    candidate = message.thread.candidate
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
    now = timezone.now()
    segments = result.segments or measure(message.body).segments
    # Provider facts are recorded even if a status callback that raced the send already moved
    # the message on (e.g. to delivered); the status itself only ever moves forward.
    Message.objects.filter(pk=message.pk).update(
        provider=integration.kind,
        provider_message_id=clean(result.provider_message_id, 64) or None,
        from_number=clean(result.sender, 32) or integration.sender,
        segments=segments,
        sent_at=now,
        error_code="",
        error_message="",
        raw=json_safe(result.raw),
        updated_at=now,
    )
    accepted = (MessageStatus.SENT, MessageStatus.DELIVERED)
    status = result.status if result.status in accepted else MessageStatus.SENT
    Message.objects.filter(pk=message.pk).advance(status)
    _touch(message, now)
    candidate = message.thread.candidate
    if candidate is not None:
        sender = message.sent_by.get_full_name() if message.sent_by else ""
        what = "Automated SMS sent" if message.automation_rule_id else "SMS sent"
        record_event(
            candidate,
            TimelineEvent.Kind.SMS_SENT,
            (f"{what} by {sender}: " if sender else f"{what}: ") + quote(message.body),
            by=message.sent_by,
            data={"message_id": message.pk, "provider": integration.kind},
        )


def _record_unknown(message: Message, detail: str, code: str = "") -> None:
    reason = f"{OUTCOME_UNKNOWN} ({detail})" if detail else OUTCOME_UNKNOWN
    Message.objects.filter(pk=message.pk).advance(
        MessageStatus.UNKNOWN, error_code=clean(code, 40), error_message=reason[:500]
    )
    _touch(message)


def _record_send_error(message: Message, integration: Integration, error: ProviderError) -> str:
    if error.ambiguous:
        _record_unknown(message, error.message, error.code)
        return MessageStatus.UNKNOWN
    if error.transient:
        attempts = Message.objects.values_list("attempts", flat=True).get(pk=message.pk)
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
            _touch(message)
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
