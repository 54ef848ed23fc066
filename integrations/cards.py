"""What one provider card on the Integrations page shows, gathered in one place.

Labels and webhook URLs come from the provider adapter (`integrations.providers`), so a new
provider needs no change here. Apps above this one add their own part to every card through
`register_card_section` (SMS adds "Send test SMS"), so this app imports none of them. Nothing in a
card holds the secret itself: only whether it is set, its last four characters, and whether it can
be decrypted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from integrations.models import AuditEntry, Integration, WebhookState
from integrations.providers import provider_class
from integrations.reachability import public_url_problem
from integrations.webhook_wiring import connect_problem


@dataclass(frozen=True)
class CardSection:
    """A part of every provider card contributed by another app.

    `template` is included inside the card with `card` and `section` in its context; `load`
    takes every integration on the page and returns {provider kind: that card's `section`},
    so a section costs a fixed number of queries for the whole page.
    """

    template: str
    load: Callable[[list[Integration]], dict[str, Any]]


CARD_SECTIONS: list[CardSection] = []


def register_card_section(section: CardSection) -> None:
    """Add `section` to every card (once, whatever the number of calls)."""
    if section not in CARD_SECTIONS:
        CARD_SECTIONS.append(section)


@dataclass(frozen=True)
class IntegrationCard:
    integration: Integration
    title: str
    account_id_label: str
    account_id_help: str
    secret_label: str
    webhook_urls: list[tuple[str, str]]
    uses_webhook_token: bool
    supports_messaging_service: bool
    supports_alpha_sender: bool
    last_change: AuditEntry | None
    # (template, section context) of each registered CardSection, in registration order.
    sections: list[tuple[str, Any]] = field(default_factory=list)

    @classmethod
    def for_integration(
        cls, integration: Integration, sections: list[tuple[str, Any]] | None = None
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
            account_id_help=provider.account_id_help,
            secret_label=provider.secret_label,
            webhook_urls=urls,
            uses_webhook_token=any(token in url for _, url in urls),
            supports_messaging_service=provider.supports_messaging_service,
            supports_alpha_sender=provider.supports_alpha_sender,
            last_change=last_change,
            sections=sections or [],
        )

    @property
    def slug(self) -> str:
        return self.integration.kind

    @property
    def last_change_text(self) -> str:
        return describe_change(self.last_change) if self.last_change else ""

    @property
    def connect_problem(self) -> str | None:
        """Why "Connect webhooks" cannot run now (shown instead of the button), or None."""
        return connect_problem(self.integration)

    @property
    def unreachable_because(self) -> str | None:
        """Why the provider cannot call the webhook URLs at all (a loopback or private
        PUBLIC_BASE_URL), or None: the URLs are then not offered as ready to paste."""
        return public_url_problem(provider_class(self.integration.kind).display_name)

    @property
    def webhook_state_label(self) -> str:
        state = self.integration.webhook_state
        return WebhookState(state).label if state else "Not checked"

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
    loaded = [(section.template, section.load(integrations)) for section in CARD_SECTIONS]
    return [
        IntegrationCard.for_integration(
            integration,
            [(template, by_kind.get(integration.kind)) for template, by_kind in loaded],
        )
        for integration in integrations
    ]
