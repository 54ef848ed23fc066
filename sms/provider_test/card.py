"""The "Send test SMS" part of every provider card."""

from integrations.cards import CardSection, register_card_section
from sms.provider_test.services import latest_test_messages

TEST_SMS_SECTION = CardSection(
    template="sms/provider_test/_test_sms.html", load=latest_test_messages
)


def register() -> None:
    register_card_section(TEST_SMS_SECTION)
