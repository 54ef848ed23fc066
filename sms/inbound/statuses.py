"""Applying a provider's delivery status to the message it is about, only ever forward.

Callbacks arrive duplicated and out of order (a late "sent" after "delivered"): `advance` keeps
the higher rank. A status for a message we do not know is ignored, and the webhook still answers
200 so that the provider stops retrying.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from integrations.models import ProviderKind
from integrations.providers import provider_class
from integrations.providers.base import StatusEvent
from sms.models import PROVIDER_REPORTED, Direction, Message, MessageStatus, OptOut
from sms.optouts import set_opt_out
from sms.text.cleaning import clean, json_safe

logger = logging.getLogger(__name__)


def message_for_status(provider: str, event: StatusEvent) -> Message | None:
    provider_message_id = clean(event.provider_message_id, 64)
    if provider_message_id:
        message = Message.objects.filter(
            provider=provider, provider_message_id=provider_message_id
        ).first()
        if message is not None:
            return message
    # The callback can beat the send task to recording the provider id: match our reference,
    # but never a message that already carries another id.
    reference = str(event.reference or "").strip()
    if reference.isascii() and reference.isdigit() and len(reference) < 19:
        return (
            Message.objects.filter(pk=int(reference), direction=Direction.OUTBOUND)
            .filter(Q(provider_message_id__isnull=True) | Q(provider_message_id=""))
            .filter(Q(provider=provider) | Q(provider=""))
            .first()
        )
    return None


def record_status(provider: str, event: StatusEvent, *, received_at=None) -> bool:
    """Apply a delivery status to its message, only forward; returns whether it changed.

    `received_at`: when its webhook arrived (the card's "last delivery receipt"), default now.
    """
    if event.status not in PROVIDER_REPORTED:
        return False
    message = message_for_status(provider, event)
    if message is None:
        logger.info("Ignoring a %s status for an unknown message", provider)
        return False
    fields = {"raw": json_safe(event.raw)}
    if event.status in (MessageStatus.FAILED, MessageStatus.UNDELIVERED):
        code = clean(event.error_code, 40)
        fields["error_code"] = code
        fields["error_message"] = clean(
            event.error_message
            or (f"The carrier reported error {code}." if code else "Not delivered."),
            500,
        )
    if event.status == MessageStatus.DELIVERED:
        fields["delivered_at"] = event.occurred_at or timezone.now()
    # When the receipt arrived, whether or not it moves the status (the card's health).
    fields["receipt_at"] = received_at or timezone.now()
    with transaction.atomic():
        # A status that moves also moves its thread's changed_at (a trigger: migration 0008).
        changed = Message.objects.filter(pk=message.pk).advance(event.status, **fields)
        if not changed:
            later = Q(receipt_at__isnull=True) | Q(receipt_at__lt=fields["receipt_at"])
            Message.objects.filter(later, pk=message.pk).update(receipt_at=fields["receipt_at"])
        if changed and not message.provider_message_id and event.provider_message_id:
            try:
                with transaction.atomic():
                    Message.objects.filter(pk=message.pk, provider_message_id__isnull=True).update(
                        provider=provider, provider_message_id=clean(event.provider_message_id, 64)
                    )
            except IntegrityError:
                # Another row already has that id: keep the status, leave the id to the sender.
                logger.warning("Status for SMS #%s names another message's id", message.pk)
    opted_out_codes = provider_class(provider).opted_out_error_codes
    if changed and clean(event.error_code) in opted_out_codes:
        set_opt_out(
            message.to_number,
            opted_out=True,
            source=OptOut.Source.PROVIDER,
            detail=f"{ProviderKind(provider).label} error {event.error_code}",
            provider=provider,
        )
    return bool(changed)
