"""Registry of SMS provider adapters, keyed by `integrations.models.ProviderKind`.

Imported lazily so that loading Django does not import every provider SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from integrations.models import Integration
    from integrations.providers.base import SmsProvider

REGISTRY: dict[str, str] = {
    "twilio": "integrations.providers.twilio.TwilioProvider",
    "clicksend": "integrations.providers.clicksend.ClickSendProvider",
}


def provider_class(kind: str) -> type[SmsProvider]:
    return import_string(REGISTRY[kind])


def provider_for(integration: Integration, *, secret: str | None = None) -> SmsProvider:
    """An adapter configured with the integration's credentials (or an explicit secret)."""
    from integrations.providers.base import ProviderCredentials

    credentials = ProviderCredentials(
        account_id=integration.account_id,
        secret=secret if secret is not None else (integration.secret or ""),
        phone_number=integration.phone_number,
        webhook_token=integration.webhook_token,
        messaging_service_sid=integration.messaging_service_sid,
        alpha_sender=integration.alpha_sender,
        sender_in_pool=integration.sender_in_pool,
    )
    return provider_class(integration.kind)(credentials)
