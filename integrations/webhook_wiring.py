"""Connect webhooks: point the provider's replies and receipts at Nextal in one click.

The adapter changes only what differs from what Nextal expects and reads the configuration back
(so a second connect changes nothing); this module decides whether connecting makes sense at all,
stores the read-back on the card and audits what changed.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from integrations.models import AuditEntry, Integration
from integrations.provider_checks import fields_for, store
from integrations.providers import provider_class, provider_for
from integrations.providers.base import SetupError, WebhookStatus, WebhookWiring
from integrations.reachability import public_url_problem


def connect_problem(integration: Integration) -> str | None:
    """Why Connect webhooks cannot run for this integration now, or None."""
    provider = provider_class(integration.kind)
    name = provider.display_name
    problem = public_url_problem(name)
    if problem:
        return problem
    if not integration.has_secret or not integration.credentials_valid:
        return (
            f"Connect webhooks needs {name} credentials that were accepted: enter the "
            f"{provider.secret_label}, or Check now."
        )
    if not (
        integration.phone_number or integration.messaging_service_sid or integration.alpha_sender
    ):
        return "Enter the Phone Number first (Edit): it is what replies are sent to."
    return None


def mark_token_changed(integration: Integration) -> None:
    """The webhook URLs changed: whatever the provider has now points at the old ones."""
    if integration.webhook_state:
        store(
            integration,
            {
                "webhook_state": WebhookWiring.ELSEWHERE.value,
                "webhook_detail": "The provider still has the URLs of the old webhook token.",
                "webhook_checked_at": timezone.now(),
            },
        )


def refresh_webhook_status(integration: Integration) -> WebhookStatus:
    """Read the provider's webhook configuration back and store it on the card."""
    try:
        status = provider_for(integration).webhook_status()
    except SetupError as error:
        status = WebhookStatus(WebhookWiring.UNKNOWN, f"Could not check: {error.message}")
    store(integration, fields_for(None, status, timezone.now()))
    return status


def connect_webhooks(integration: Integration, *, by) -> WebhookStatus:
    """Point the provider at Nextal (idempotent), store the read-back, audit the changes.

    Raises ValidationError with the reason when it cannot run or the provider refused.
    """
    problem = connect_problem(integration)
    if problem:
        raise ValidationError(problem, code="cannot_connect")
    try:
        status = provider_for(integration).connect_webhooks()  # network: no transaction open
    except SetupError as error:
        raise ValidationError(
            f"{provider_class(integration.kind).display_name} refused the change: {error.message}",
            code="provider_error",
        ) from error
    if status.changes:
        detail = "; ".join(status.changes) + "."
    elif status.state is WebhookWiring.CONNECTED:
        detail = "Already connected; nothing changed."
    else:
        detail = f"Nothing changed: {status.detail}"
    with transaction.atomic():
        store(integration, fields_for(None, status, timezone.now()))
        AuditEntry.objects.create(
            integration=integration,
            action=AuditEntry.Action.WEBHOOKS_CONNECTED,
            actor=by,
            detail=f"{detail} Now: {status.state.label}."[:300],
        )
    return status
