"""Nextal's own automatic replies: the one confirmation of an opt-out, and the answer to HELP.

Both are ordinary outbox rows (queued, published after the transaction commits, sent by the
send task), with the administrator's text from the SMS policy. The database keeps them to one
each: one confirmation per opt-out (`Message.confirms_opt_out` is one-to-one with the ledger
entry), one answer per HELP message. Neither is sent when the provider answers the keyword
itself (Twilio's STOP and HELP handling), nor is it held for quiet hours: the candidate just
texted.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.providers import provider_class
from integrations.providers.base import InboundSms
from sms.eligibility import active_integration, provider_block
from sms.models import ConsentEvent, Message
from sms.outbox.publishing import enqueue_sends
from sms.outbox.queueing import save_outbound
from sms.policy import current_policy, fill_company_name

logger = logging.getLogger(__name__)

FRENCH = "fr"


def _queue(inbound: Message, body: str, **link) -> Message | None:
    """Queue `body` to the sender of `inbound`, once per `link` (a database constraint)."""
    if provider_block(active_integration()) is not None:
        logger.info("No automatic reply to SMS #%s: SMS is turned off", inbound.pk)
        return None
    now = timezone.now()
    try:
        with transaction.atomic():
            message = save_outbound(
                inbound.thread,
                body=body,
                to_number=inbound.from_number,
                now=now,
                enqueued_at=now,
                **link,
            )
    except IntegrityError:
        # Already queued for this opt-out / HELP message (a concurrent duplicate webhook).
        return None
    transaction.on_commit(lambda: enqueue_sends([message.pk]))
    return message


def _provider_answers(provider: str, inbound: InboundSms) -> bool:
    try:
        return provider_class(provider).answers_keyword_itself(inbound)
    except KeyError:
        return False


def queue_opt_out_confirmation(
    event: ConsentEvent, inbound: Message, received: InboundSms, *, language: str
) -> Message | None:
    """The one confirmation of the opt-out `event`, unless the provider sends its own or the
    administrator turned confirmations off."""
    policy = current_policy()
    if not policy.confirm_opt_outs or _provider_answers(inbound.provider, received):
        return None
    text = policy.opt_out_confirmation_fr if language == FRENCH else policy.opt_out_confirmation
    return _queue(inbound, fill_company_name(text), confirms_opt_out=event)


def queue_help_reply(inbound: Message, received: InboundSms, *, language: str) -> Message | None:
    """The administrator's HELP answer, when it is turned on and the provider does not answer
    HELP itself."""
    policy = current_policy()
    if not policy.help_reply_enabled or _provider_answers(inbound.provider, received):
        return None
    text = policy.help_reply_fr if language == FRENCH else policy.help_reply
    return _queue(inbound, fill_company_name(text), answers_help=inbound)
