"""Provider settings rows for the tests: `configure()` points one at the fake provider server, and
the numbers the tests give providers and candidates."""

from integrations.models import Integration
from tests.fakes.provider_server import (
    CLICKSEND_API_KEY,
    CLICKSEND_USERNAME,
    TWILIO_SID,
    TWILIO_TOKEN,
)

# What `configure()` sends from, and a recipient.
TWILIO_FROM = "+15005550006"
CLICKSEND_FROM = "+61411111112"
CANDIDATE_PHONE = "+61411111111"  # a ClickSend test number; valid for phonenumbers too

# What the `configured_twilio` / `configured_clicksend` fixtures save (tests/integrations/).
TWILIO_PHONE = "+12025550143"
CLICKSEND_PHONE = "+61411111111"


def provider_row(kind: str) -> Integration:
    # tests/conftest.py `migrated_rows` restores the row if a transactional test flushed it.
    return Integration.objects.get(kind=kind)


def configure(kind: str, *, active: bool = True) -> Integration:
    """Give a provider the fake server's credentials and make it the active one (or not)."""
    integration = Integration.objects.get(kind=kind)
    if kind == "twilio":
        integration.account_id, integration.secret = TWILIO_SID, TWILIO_TOKEN
        integration.phone_number = TWILIO_FROM
    else:
        integration.account_id, integration.secret = CLICKSEND_USERNAME, CLICKSEND_API_KEY
        integration.phone_number = CLICKSEND_FROM
    if active:
        Integration.objects.exclude(pk=integration.pk).update(is_active=False)
    integration.is_active = active
    integration.save()
    return integration
