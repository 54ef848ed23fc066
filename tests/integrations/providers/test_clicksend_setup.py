"""ClickSend account configuration against the fake: the dedicated number check, the inbound SMS
and delivery receipt rules read back and connected (created or updated, never duplicated), with
the exact requests made."""

from integrations.providers.base import ProviderCredentials, WebhookWiring
from integrations.providers.clicksend import ClickSendProvider
from integrations.providers.clicksend_setup import INBOUND_RULE_NAME, RECEIPT_RULE_NAME
from tests.fakes.provider_server import CLICKSEND_API_KEY, CLICKSEND_USERNAME

NUMBER = "+61411111112"
TOKEN = "current-token-0123456789abcdefghijklmnopqrstu"
INBOUND_URL = f"https://nextal.example.com/webhooks/clicksend/{TOKEN}/inbound/"
RECEIPTS_URL = f"https://nextal.example.com/webhooks/clicksend/{TOKEN}/receipts/"


def clicksend(**credentials) -> ClickSendProvider:
    fields = {"phone_number": NUMBER, "webhook_token": TOKEN, **credentials}
    return ClickSendProvider(ProviderCredentials(CLICKSEND_USERNAME, CLICKSEND_API_KEY, **fields))


def calls(fake) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in fake.requests]


# --- the dedicated number ------------------------------------------------------------------------


def test_it_finds_the_dedicated_number(fake_provider):
    fake_provider.add_clicksend_number(NUMBER)

    check = clicksend().check_sender()

    assert check.ok is True
    [request] = fake_provider.requests
    assert (request.method, request.path) == ("GET", "/v3/numbers")
    assert request.query == {"page": ["1"], "limit": ["100"]}
    assert request.auth == (CLICKSEND_USERNAME, CLICKSEND_API_KEY)


def test_it_pages_through_the_numbers(fake_provider):
    for i in range(150):
        fake_provider.add_clicksend_number(f"+6141100{i:04d}")
    fake_provider.add_clicksend_number(NUMBER)

    assert clicksend().check_sender().ok is True


def test_a_number_not_on_the_account_is_a_warning_with_what_to_do(fake_provider):
    fake_provider.add_clicksend_number("+61400000001")

    check = clicksend().check_sender()

    assert check.ok is False
    assert "is not a dedicated number on this ClickSend account" in check.message
    assert "sender ID" in check.message


def test_an_alphanumeric_sender_needs_no_number_and_says_replies_cannot_come_back(fake_provider):
    check = clicksend(phone_number="", alpha_sender="Nextal").check_sender()

    assert check.ok is True
    assert "cannot reply" in check.message
    assert fake_provider.requests == []


# --- rules ---------------------------------------------------------------------------------------


def test_connect_creates_both_rules_then_a_second_connect_changes_nothing(fake_provider):
    assert clicksend().webhook_status().state is WebhookWiring.NOT_CONNECTED
    fake_provider.reset_requests()

    status = clicksend().connect_webhooks()

    assert status.state is WebhookWiring.CONNECTED
    assert calls(fake_provider) == [
        ("GET", "/v3/automations/sms/inbound"),
        ("GET", "/v3/automations/sms/receipts"),
        ("POST", "/v3/automations/sms/inbound"),
        ("POST", "/v3/automations/sms/receipts"),
        ("GET", "/v3/automations/sms/inbound"),
        ("GET", "/v3/automations/sms/receipts"),
    ]
    inbound = fake_provider.requests_for("clicksend.inbound_rule_create")[0]
    # webhook_type survives: the raw client sends what the 6.0.2 model would drop.
    assert inbound.json == {
        "dedicated_number": NUMBER,
        "rule_name": INBOUND_RULE_NAME,
        "message_search_type": 0,
        "message_search_term": "",
        "action": "URL",
        "action_address": INBOUND_URL,
        "enabled": 1,
        "webhook_type": "json",
    }
    receipt = fake_provider.requests_for("clicksend.receipt_rule_create")[0]
    assert receipt.json == {
        "rule_name": RECEIPT_RULE_NAME,
        "match_type": 0,
        "action": "URL",
        "action_address": RECEIPTS_URL,
        "enabled": 1,
    }

    fake_provider.reset_requests()
    again = clicksend().connect_webhooks()

    assert (again.state, again.changes) == (WebhookWiring.CONNECTED, ())
    assert calls(fake_provider) == [
        ("GET", "/v3/automations/sms/inbound"),
        ("GET", "/v3/automations/sms/receipts"),
    ]
    assert len(fake_provider.clicksend_rules["inbound"]) == 1
    assert len(fake_provider.clicksend_rules["receipts"]) == 1


def test_after_a_new_token_connect_updates_nextals_own_rules_instead_of_adding(fake_provider):
    old = "old-token-0123456789abcdefghijklmnopqrstuvwxyz"
    inbound_id = fake_provider.add_clicksend_rule(
        "inbound",
        {
            "dedicated_number": NUMBER,
            "rule_name": INBOUND_RULE_NAME,
            "action": "URL",
            "action_address": INBOUND_URL.replace(TOKEN, old),
            "enabled": 1,
            "webhook_type": "json",
        },
    )
    receipt_id = fake_provider.add_clicksend_rule(
        "receipts",
        {
            "rule_name": RECEIPT_RULE_NAME,
            "match_type": 0,
            "action": "URL",
            "action_address": RECEIPTS_URL.replace(TOKEN, old),
            "enabled": 1,
        },
    )

    before = clicksend().webhook_status()
    assert before.state is WebhookWiring.ELSEWHERE
    assert old not in before.detail  # a token, even an old one, is never shown
    assert "/webhooks/clicksend/…/inbound/" in before.detail
    fake_provider.reset_requests()

    status = clicksend().connect_webhooks()

    assert status.state is WebhookWiring.CONNECTED
    assert ("PUT", f"/v3/automations/sms/inbound/{inbound_id}") in calls(fake_provider)
    assert ("PUT", f"/v3/automations/sms/receipts/{receipt_id}") in calls(fake_provider)
    assert [r for r in fake_provider.requests if r.method == "POST"] == []
    assert fake_provider.clicksend_rules["inbound"][inbound_id]["action_address"] == INBOUND_URL
    assert fake_provider.clicksend_rules["receipts"][receipt_id]["action_address"] == RECEIPTS_URL


def test_another_systems_rule_is_reported_and_left_alone(fake_provider):
    theirs = fake_provider.add_clicksend_rule(
        "inbound",
        {
            "dedicated_number": "*",
            "rule_name": "CRM",
            "action": "URL",
            "action_address": "https://crm.example.org/sms",
            "enabled": 1,
        },
    )

    before = clicksend().webhook_status()
    assert before.state is WebhookWiring.ELSEWHERE
    assert "Replies go to https://crm.example.org/sms" in before.detail

    assert clicksend().connect_webhooks().state is WebhookWiring.CONNECTED
    assert fake_provider.clicksend_rules["inbound"][theirs]["action_address"] == (
        "https://crm.example.org/sms"
    )
    assert len(fake_provider.clicksend_rules["inbound"]) == 2


def test_a_rule_with_the_url_but_form_posts_is_fixed(fake_provider):
    rule_id = fake_provider.add_clicksend_rule(
        "inbound",
        {
            "dedicated_number": NUMBER,
            "rule_name": INBOUND_RULE_NAME,
            "action": "URL",
            "action_address": INBOUND_URL,
            "enabled": 1,
            "webhook_type": "post",
        },
    )

    clicksend().connect_webhooks()

    assert fake_provider.clicksend_rules["inbound"][rule_id]["webhook_type"] == "json"


def test_an_alphanumeric_sender_only_needs_the_receipt_rule(fake_provider):
    status = clicksend(phone_number="", alpha_sender="Nextal").connect_webhooks()

    assert status.state is WebhookWiring.CONNECTED
    assert "no replies" in status.detail
    assert fake_provider.clicksend_rules["inbound"] == {}
    assert len(fake_provider.clicksend_rules["receipts"]) == 1


def test_an_unreadable_answer_is_a_setup_error_never_a_crash(fake_provider):
    import pytest

    from integrations.providers.base import SetupError

    fake_provider.queue("clicksend.inbound_rules", json={"data": {"data": [], "last_page": "many"}})
    fake_provider.queue("clicksend.numbers", body=b"<html>proxy</html>")

    assert clicksend().webhook_status().state is WebhookWiring.NOT_CONNECTED  # lenient paging
    check = clicksend().check_sender()
    assert (check.ok, check.message) == (
        None,
        "Not verified: ClickSend's answer could not be read.",
    )
    fake_provider.queue("clicksend.receipt_rules", json={"data": "nope"})
    fake_provider.queue("clicksend.inbound_rules", json=[1, 2])
    with pytest.raises(SetupError, match=r"^ClickSend's answer could not be read\.$"):
        clicksend().connect_webhooks()
    # An answer that is JSON but not shaped as ClickSend's: what reads it fails, not the call.
    fake_provider.queue("clicksend.numbers", json={"data": {"data": [], "last_page": "many"}})
    check = clicksend().check_sender()
    assert (check.ok, check.message) == (
        None,
        "Not verified: ClickSend's answer could not be read.",
    )


def test_credentials_in_another_rules_url_are_never_shown(fake_provider):
    fake_provider.add_clicksend_rule(
        "inbound",
        {
            "dedicated_number": NUMBER,
            "rule_name": "CRM",
            "action": "URL",
            "action_address": "https://crm:s3cr3t-pw@crm.example.org:8443/sms",
            "enabled": 1,
        },
    )

    detail = clicksend().webhook_status().detail

    assert "s3cr3t-pw" not in detail
    assert "https://…@crm.example.org:8443/sms" in detail
