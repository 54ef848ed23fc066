"""Checking a provider end to end, as its card's "Check now" and every credential check do:
are the credentials accepted, is the sender on the account, where do replies and receipts go.

Network calls happen outside any transaction (no row stays locked while a provider answers);
the results are written in one short transaction afterwards. Nothing here stores or logs the
secret.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from integrations.models import AuditEntry, Integration
from integrations.providers import provider_for
from integrations.providers.base import (
    CredentialCheck,
    SenderCheck,
    SetupError,
    WebhookStatus,
    WebhookWiring,
)


@dataclass(frozen=True)
class ProviderChecks:
    credentials: CredentialCheck
    sender: SenderCheck | None  # None: not asked (credentials not accepted)
    webhooks: WebhookStatus | None

    @property
    def summary(self) -> str:
        parts = [self.credentials.message]
        if self.sender is not None:
            parts.append(self.sender.message)
        if self.webhooks is not None:
            parts.append(f"Webhooks: {self.webhooks.state.label}. {self.webhooks.detail}")
        return " ".join(part for part in parts if part)


def read_sender_and_webhooks(integration: Integration) -> tuple[SenderCheck, WebhookStatus]:
    """Ask the provider about the sender and the webhooks (network; no database writes)."""
    if not integration.has_sender:
        return (
            SenderCheck(None, "No sender is set yet: enter the Phone Number (Edit)."),
            WebhookStatus(WebhookWiring.UNKNOWN, "Enter the Phone Number first."),
        )
    provider = provider_for(integration)
    sender = provider.check_sender()
    try:
        webhooks = provider.webhook_status()
    except SetupError as error:
        webhooks = WebhookStatus(WebhookWiring.UNKNOWN, f"Could not check: {error.message}")
    return sender, webhooks


def fields_for(sender: SenderCheck | None, webhooks: WebhookStatus | None, now) -> dict:
    """The Integration fields that record a sender check and a webhook read-back."""
    fields = {}
    if sender is not None:
        fields.update(
            sender_checked_at=now,
            sender_ok=sender.ok,
            sender_check_message=sender.message[:300],
            sender_in_pool=sender.in_pool,
        )
    if webhooks is not None:
        fields.update(
            webhook_state=webhooks.state.value,
            webhook_detail=webhooks.detail[:300],
            webhook_checked_at=now,
        )
    return fields


def store(integration: Integration, fields: dict) -> None:
    """Write check results onto the row (and the caller's instance), nothing else."""
    if not fields:
        return
    Integration.objects.filter(pk=integration.pk).update(**fields, updated_at=timezone.now())
    for name, value in fields.items():
        setattr(integration, name, value)


def check_provider(integration: Integration, *, by) -> ProviderChecks:
    """Credentials, then (if accepted) sender and webhooks; every answer stored and audited."""
    credentials = provider_for(integration).check_credentials()
    sender = webhooks = None
    if credentials.valid:
        sender, webhooks = read_sender_and_webhooks(integration)
    now = timezone.now()
    checks = ProviderChecks(credentials, sender, webhooks)
    with transaction.atomic():
        store(
            integration,
            {
                "credentials_checked_at": now,
                "credentials_valid": credentials.valid,
                "credentials_check_message": credentials.message[:300],
                **fields_for(sender, webhooks, now),
            },
        )
        AuditEntry.objects.create(
            integration=integration,
            action=AuditEntry.Action.CHECKED,
            actor=by,
            detail=checks.summary[:300],
        )
    return checks
