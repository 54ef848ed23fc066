"""Storing an inbound SMS: once, in the sender's thread, with what it asks for applied.

Idempotent on (provider, provider message id), also against a concurrent duplicate on
PostgreSQL: the unique constraint decides and the loser returns the winner's row. A reply is
kept whether or not its provider is still active.

A reply that says stop, in any reasonable way (`keywords.read_reply`), opts the number out and
queues one confirmation (unless the provider confirms it itself); START lifts an opt-out; HELP
gets the administrator's answer when that is on. A number's first message, before we ever texted
it, records its consent to replies (`consent.record_texted_first`).
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from candidates.models import TimelineEvent
from candidates.services import record_event
from integrations.providers.base import InboundSms
from sms.assignment import assign_by_default, assign_if_unassigned
from sms.attachments.publishing import record_media
from sms.consent import record_texted_first
from sms.inbound.facts import SenderFacts
from sms.inbound.keywords import HELP, OPT_IN, OPT_OUT, read_reply
from sms.media.kinds import media_preview
from sms.models import Direction, Message, MessageStatus, OptOut, Thread
from sms.optouts import set_opt_out
from sms.outbox.auto_replies import queue_help_reply, queue_opt_out_confirmation
from sms.outbox.reply_cancels import cancel_waiting_for_reply
from sms.text.cleaning import clean, json_safe, quote
from sms.text.segments import measure
from sms.threads import normalize_sender, thread_for_sender

logger = logging.getLogger(__name__)

# Twilio and ClickSend deliver at most 1,600 characters; the margin allows for a provider's
# counting. A longer (signed) body is cut here: the whole of it stays in `raw`.
MAX_INBOUND_BODY_CHARS = 1_600 + 400


def record_inbound(
    provider: str, inbound: InboundSms, *, at=None, known: SenderFacts | None = None
) -> tuple[Message, bool]:
    """Store an inbound SMS once; returns (message, created).

    `at` is when it arrived (the provider's timestamp, else when its webhook was stored): the
    message's place in its thread, also when it is processed later or out of order. `known`:
    what processing read for its batch (`facts`), instead of asking here; then a concurrent
    duplicate or thread fails the insert (IntegrityError) and processing calls again without.
    """
    message_id = clean(inbound.provider_message_id, 64) or None
    if message_id and (known is None or known.stored):
        existing = Message.objects.filter(provider=provider, provider_message_id=message_id).first()
        if existing is not None:
            return existing, False
    sender = normalize_sender(inbound.from_number)
    body = clean(inbound.body, MAX_INBOUND_BODY_CHARS)
    now = timezone.now()
    at = at or now
    shown = body or media_preview([item.content_type for item in inbound.media])
    showing = False  # the thread shows this reply already (created with it)
    # Inside processing's savepoint per event, no second one is needed (an error rolls both back).
    with transaction.atomic(savepoint=False):
        if known is None:
            thread = thread_for_sender(sender)
            answered = _answered(thread, at)
        elif known.thread is None:
            # A new conversation: nothing to answer or cancel; it is created showing the reply.
            thread = Thread.objects.create_showing_inbound(
                shown,
                at=at,
                now=now,
                candidate_id=known.candidate_id,
                phone_number=sender or "unknown",
            )
            thread.has_messages = thread.has_waiting = False
            answered, showing = None, True
        else:
            thread = known.thread
            answered = thread.latest_outbound_id
            if thread.latest_outbound_at is not None and thread.latest_outbound_at > at:
                answered = _answered(thread, at)  # a reply processed after a later send
        fields = {
            "thread": thread,
            "direction": Direction.INBOUND,
            "status": MessageStatus.RECEIVED,
            "body": body,
            "provider": provider,
            "provider_message_id": message_id,
            "from_number": sender,
            "to_number": normalize_sender(inbound.to_number),
            "segments": measure(body).segments or None,
            "sent_at": inbound.received_at,
            "raw": json_safe(inbound.raw),
            "in_reply_to_id": answered,
            "created_at": at,
        }
        if known is not None:
            message = Message.objects.create(**fields)
        else:
            try:
                with transaction.atomic():
                    message = Message.objects.create(**fields)
            except IntegrityError:
                # A concurrent delivery of the same message won the unique constraint.
                existing = Message.objects.filter(
                    provider=provider, provider_message_id=message_id
                ).first()
                if existing is None:
                    raise
                logger.info("Duplicate %s inbound %s ignored (concurrent)", provider, message_id)
                return existing, False
        # A reply cancels what waits for them (before the summary shows the reply itself).
        if known is None or thread.has_waiting:
            cancel_waiting_for_reply(message)
        # Media-only messages are normal (a photo of a permit): the list says "📷 Photo".
        record_media(message, inbound.media)
        if not showing:
            Thread.objects.filter(pk=thread.pk).show_inbound(shown, at=at, now=now)
        if known is None:
            assign_by_default(thread)
        else:
            assign_if_unassigned(thread, known.default_assignee_id)
        if thread.candidate_id:
            record_event(
                thread.candidate_id,
                TimelineEvent.Kind.SMS_RECEIVED,
                ("MMS received: " if inbound.media else "SMS received: ")
                + (quote(body) if body else shown),
                data={"message_id": message.pk, "provider": provider},
            )
        if sender.startswith("+"):
            apply_reply(message, inbound, known)
    return message, True


def _answered(thread: Thread, at) -> int | None:
    """The outbound message a reply at `at` answers: the thread's latest before it (SMS
    Analytics counts the reply for that message's recruiter, template and job)."""
    return (
        Message.objects.filter(thread=thread, direction=Direction.OUTBOUND, created_at__lte=at)
        .order_by("-created_at")  # the (thread, created_at) index, read backwards
        .values_list("pk", flat=True)
        .first()
    )


def apply_reply(message: Message, inbound: InboundSms, known: SenderFacts | None = None) -> None:
    """Act on what the reply asks for: stop, start again, help (or record texted-first)."""
    reading = read_reply(message.body, inbound.opt_out_type)
    number, provider = message.from_number, message.provider
    if reading is None or reading.intent == HELP:
        if known is None:
            record_texted_first(message)
        else:
            record_texted_first(
                message, has_entries=known.has_ledger, earlier=message.thread.has_messages
            )
    if reading is None:
        return
    if reading.intent == OPT_OUT:
        source = OptOut.Source.KEYWORD if reading.keyword else OptOut.Source.PHRASE
        event = set_opt_out(
            number,
            opted_out=True,
            source=source,
            detail=reading.detail,
            provider=provider,
            message=message,
        )
        if event is not None:
            logger.info("SMS #%s is an opt-out (%s)", message.pk, reading.rule)
            queue_opt_out_confirmation(event, message, inbound, language=reading.language)
    elif reading.intent == OPT_IN:
        set_opt_out(
            number,
            opted_out=False,
            source=OptOut.Source.KEYWORD,
            detail=reading.detail,
            provider=provider,
            message=message,
        )
    elif reading.intent == HELP:
        queue_help_reply(message, inbound, language=reading.language)
