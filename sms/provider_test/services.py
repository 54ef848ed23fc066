"""The Integrations page's "Send test SMS": a real message through the active provider, audited,
and the latest test's outcome for each provider card."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from core.phone import display, to_e164_or_none
from integrations.models import AuditEntry, Integration
from sms.eligibility import active_integration, destination_block, number_block, provider_block
from sms.models import Direction, Message, MessageStatus
from sms.outbox.publishing import enqueue_sends
from sms.outbox.queueing import SendRefused
from sms.text.segments import measure

TEST_MESSAGE_BODY = "Nextal test message"


def queue_test_message(to: str, *, sent_by) -> Message:
    """Queue "Nextal test message" to any number through the active provider (real pipeline).

    It belongs to no conversation: its outcome shows on the Integrations card, and the inbox
    (where an Unknown-sender thread "You: Nextal test message" would only confuse recruiters)
    never sees it.
    """
    to_number = to_e164_or_none(to)
    if to_number is None:
        raise SendRefused("Enter a valid phone number, including the country code.")
    integration = active_integration()
    block = (
        provider_block(integration)
        or destination_block(integration, to_number)
        or number_block(to_number, display(to_number))
    )
    if block:
        raise SendRefused(block.reason)
    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.create(
            thread=None,
            direction=Direction.OUTBOUND,
            status=MessageStatus.QUEUED,
            body=TEST_MESSAGE_BODY,
            to_number=to_number,
            segments=measure(TEST_MESSAGE_BODY).segments,
            sent_by=sent_by,
            is_test=True,
            enqueued_at=now,
        )
        transaction.on_commit(lambda: enqueue_sends([message.pk]))
    return message


def send_test_sms(integration: Integration, to: str, *, by) -> Message:
    """Queue the test message from `integration`'s card. Raises SendRefused with the reason.

    Tests always go through the active provider; from an inactive provider's card that would
    silently test the other one, so it is refused with what to do instead.
    """
    with transaction.atomic():
        # Provider switches lock these rows: the check below cannot race an activation.
        integration = Integration.objects.select_for_update().get(pk=integration.pk)
        if not integration.is_active:
            active = active_integration()
            now = f" {active} is the active provider now." if active else ""
            raise SendRefused(
                f"Activate {integration} first: test messages go through the active provider." + now
            )
        message = queue_test_message(to, sent_by=by)
        AuditEntry.objects.create(
            integration=integration,
            action=AuditEntry.Action.TEST_SMS_SENT,
            actor=by,
            detail=f"To {display(message.to_number)}",
        )
    return message


def latest_test_messages(integrations) -> dict[str, Message]:
    """{provider kind: its most recent test message}, in one query.

    A test still waiting for its task has no provider yet; it belongs to the active provider
    (tests are only queued through the active one).
    """
    newest_first = [F("created_at").desc(), F("id").desc()]
    latest_per_provider = (
        Message.objects.filter(is_test=True)
        .annotate(
            newest_rank=Window(RowNumber(), partition_by=[F("provider")], order_by=newest_first)
        )
        .filter(newest_rank=1)
    )
    by_provider = {message.provider: message for message in latest_per_provider}
    unclaimed = by_provider.pop("", None)
    result = dict(by_provider)
    for integration in integrations:
        if integration.is_active and unclaimed is not None:
            current = result.get(integration.kind)
            if current is None or (current.created_at, current.pk) < (
                unclaimed.created_at,
                unclaimed.pk,
            ):
                result[integration.kind] = unclaimed
    return result


def latest_test_message(integration: Integration) -> Message | None:
    return latest_test_messages([integration]).get(integration.kind)
