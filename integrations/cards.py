"""What one provider card on the Integrations page shows, gathered in one place.

Labels and webhook URLs come from the provider adapter (`sms.providers`), so a new provider needs
no change here. Nothing in a card holds the secret itself: only whether it is set, its last four
characters, and whether it can be decrypted.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from integrations.models import AuditEntry, Integration
from sms.models import Message
from sms.provider_check import latest_test_messages
from sms.providers import provider_class


@dataclass(frozen=True)
class IntegrationCard:
    integration: Integration
    title: str
    account_id_label: str
    secret_label: str
    webhook_urls: list[tuple[str, str]]
    uses_webhook_token: bool
    last_change: AuditEntry | None
    # The latest "Send test SMS" message (sms.provider_check), shown with its outcome.
    latest_test: Message | None = None

    @classmethod
    def for_integration(
        cls, integration: Integration, latest_test: Message | None = None
    ) -> IntegrationCard:
        provider = provider_class(integration.kind)
        token = integration.webhook_token
        urls = provider.webhook_urls(token)
        prefetched = getattr(integration, "latest_audit", None)
        if prefetched is None:
            last_change = integration.audit.select_related("actor").first()
        else:
            last_change = prefetched[0] if prefetched else None
        return cls(
            integration=integration,
            title=provider.display_name,
            account_id_label=provider.account_id_label,
            secret_label=provider.secret_label,
            webhook_urls=urls,
            uses_webhook_token=any(token in url for _, url in urls),
            last_change=last_change,
            latest_test=latest_test,
        )

    @property
    def slug(self) -> str:
        return self.integration.kind

    @property
    def last_change_text(self) -> str:
        return describe_change(self.last_change) if self.last_change else ""

    @property
    def needs_secret(self) -> bool:
        """Active but unable to send: the secret is missing or cannot be decrypted."""
        return self.integration.is_active and not self.integration.has_secret


def describe_change(entry: AuditEntry) -> str:
    """ "Auth Token updated" rather than the generic "Secret updated"."""
    if entry.action == AuditEntry.Action.SECRET_UPDATED:
        return f"{provider_class(entry.integration.kind).secret_label} updated"
    return entry.get_action_display()


def integration_cards() -> list[IntegrationCard]:
    """Every provider's card, in a fixed number of queries."""
    latest_audit = Prefetch(
        "audit",
        queryset=AuditEntry.objects.select_related("actor").order_by("-created_at", "-id")[:1],
        to_attr="latest_audit",
    )
    integrations = Integration.objects.select_related("secret_updated_by").prefetch_related(
        latest_audit
    )
    integrations = list(integrations)
    tests = latest_test_messages(integrations)
    return [
        IntegrationCard.for_integration(integration, tests.get(integration.kind))
        for integration in integrations
    ]
