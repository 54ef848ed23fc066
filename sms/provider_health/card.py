"""The "Health" part of every provider card."""

from integrations.cards import CardSection, register_card_section
from sms.provider_health.figures import provider_health

HEALTH_SECTION = CardSection(template="sms/provider_health/_health.html", load=provider_health)


def register() -> None:
    register_card_section(HEALTH_SECTION)
