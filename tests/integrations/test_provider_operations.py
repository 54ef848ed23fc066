"""The card's provider operations: the Messaging Service SID and Sender ID settings, Check now,
Connect webhooks (idempotent, audited, refused for a private PUBLIC_BASE_URL), the reconnect
offered with a new webhook token, and the sender checked with every credential."""

import pytest
from django.urls import reverse

from integrations import services
from integrations.models import AuditEntry, Integration
from integrations.reachability import public_url_problem
from tests.fakes.fixtures import CLICKSEND_API_KEY, CLICKSEND_USERNAME, TWILIO_SID, TWILIO_TOKEN
from tests.helpers.providers import TWILIO_FROM, configure

SERVICE = "MG" + "a" * 32
INBOUND_URL = "https://nextal.example.com/webhooks/twilio/inbound/"


def card(html: str, kind: str) -> str:
    start = html.index(f'id="integration-{kind}"')
    return html[start : html.index("</article>", start)]


def flashes(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def save(client, kind, **data):
    data = {"activate": "on", **data}
    return client.post(reverse("integrations:edit", kwargs={"kind": kind}), data)


# --- settings ------------------------------------------------------------------------------------


def test_twilio_takes_a_messaging_service_sid_instead_of_a_number(administrator_client, twilio_row):
    response = save(
        administrator_client, "twilio", account_id=TWILIO_SID, messaging_service_sid=SERVICE
    )

    assert response.status_code == 302
    twilio_row.refresh_from_db()
    assert (twilio_row.messaging_service_sid, twilio_row.phone_number) == (SERVICE, "")
    assert twilio_row.is_active
    assert AuditEntry.objects.filter(detail__contains=f"Messaging Service SID: {SERVICE}").exists()


def test_a_malformed_messaging_service_sid_is_a_field_error(administrator_client, twilio_row):
    response = save(
        administrator_client,
        "twilio",
        account_id=TWILIO_SID,
        phone_number=TWILIO_FROM,
        messaging_service_sid="MG123",
    )

    assert response.status_code == 200
    assert "MG followed by 32 hexadecimal characters" in response.content.decode()
    twilio_row.refresh_from_db()
    assert twilio_row.messaging_service_sid == "" and not twilio_row.is_active


def test_clicksend_takes_a_sender_id_but_not_with_a_number(administrator_client, clicksend_row):
    both = save(
        administrator_client,
        "clicksend",
        account_id=CLICKSEND_USERNAME,
        phone_number="+61411111112",
        alpha_sender="Nextal",
    )
    assert "not both" in both.content.decode()

    bad = save(
        administrator_client, "clicksend", account_id=CLICKSEND_USERNAME, alpha_sender="12345"
    )
    assert "at least one letter" in bad.content.decode()

    ok = save(
        administrator_client, "clicksend", account_id=CLICKSEND_USERNAME, alpha_sender="Nextal"
    )
    assert ok.status_code == 302
    clicksend_row.refresh_from_db()
    assert clicksend_row.alpha_sender == "Nextal" and clicksend_row.is_active


def test_each_provider_shows_only_its_own_sender_fields(administrator_client, twilio_row):
    twilio = administrator_client.get(reverse("integrations:edit", args=["twilio"])).content
    clicksend = administrator_client.get(reverse("integrations:edit", args=["clicksend"])).content
    assert b"Messaging Service SID" in twilio and b"Sender ID" not in twilio
    assert b"Sender ID" in clicksend and b"Messaging Service SID" not in clicksend


def test_the_database_keeps_senders_to_their_provider(twilio_row, clicksend_row):
    from django.db import IntegrityError, transaction

    for row, field, value in (
        (twilio_row, "alpha_sender", "Nextal"),
        (clicksend_row, "messaging_service_sid", SERVICE),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Integration.objects.filter(pk=row.pk).update(**{field: value})
    with pytest.raises(IntegrityError), transaction.atomic():
        Integration.objects.filter(pk=clicksend_row.pk).update(
            alpha_sender="Nextal", phone_number="+61411111112"
        )


def test_changing_the_sender_marks_the_sender_check_stale(administrator, fake_provider):
    twilio = configure("twilio")
    fake_provider.add_twilio_number(TWILIO_FROM)
    services.update_secret(twilio, TWILIO_TOKEN, by=administrator)
    assert twilio.sender_ok is True

    services.update_settings(
        twilio, phone_number="+15005550009", account_id=TWILIO_SID, activate=True, by=administrator
    )

    twilio.refresh_from_db()
    assert twilio.sender_ok is None
    assert twilio.sender_check_message.startswith("Not checked since the Phone Number changed")
    assert twilio.webhook_state == ""


# --- the sender is checked with every accepted credential ----------------------------------------


def test_entering_the_auth_token_checks_the_number_and_the_webhooks(
    administrator_client, fake_provider
):
    configure("twilio")
    Integration.objects.filter(kind="twilio").update(phone_number="+15145550123")
    fake_provider.add_twilio_number("+15005550009")

    response = administrator_client.post(
        reverse("integrations:edit_secret", args=["twilio"]), {"secret": TWILIO_TOKEN}, follow=True
    )

    twilio = Integration.objects.get(kind="twilio")
    assert twilio.credentials_valid is True
    assert twilio.sender_ok is False
    html = card(response.content.decode(), "twilio")
    assert "+1 514-555-0123 is not a number on this Twilio account" in html
    assert 'data-testid="sender-warning"' in html
    assert TWILIO_TOKEN not in response.content.decode()


# --- Check now -----------------------------------------------------------------------------------


def test_check_now_checks_credentials_sender_and_webhooks_and_audits_it(
    administrator_client, administrator, fake_provider
):
    configure("twilio")
    fake_provider.add_twilio_number(TWILIO_FROM, sms_url=INBOUND_URL)

    response = administrator_client.post(
        reverse("integrations:check_now", args=["twilio"]), follow=True
    )

    twilio = Integration.objects.get(kind="twilio")
    assert (twilio.credentials_valid, twilio.sender_ok, twilio.webhook_state) == (
        True,
        True,
        "connected",
    )
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CHECKED)
    assert entry.actor == administrator
    assert "Webhooks: connected" in entry.detail
    html = card(response.content.decode(), "twilio")
    assert "Connected" in html
    assert TWILIO_TOKEN not in response.content.decode()


def test_check_now_with_rejected_credentials_asks_nothing_else(administrator_client, fake_provider):
    configure("twilio")
    fake_provider.twilio_token = "rotated"

    administrator_client.post(reverse("integrations:check_now", args=["twilio"]))

    twilio = Integration.objects.get(kind="twilio")
    assert twilio.credentials_valid is False
    assert [r.route for r in fake_provider.requests] == ["twilio.account"]


def test_only_administrators_may_check_or_connect(recruiter_client, twilio_row):
    for name in ("integrations:check_now", "integrations:connect_webhooks"):
        assert recruiter_client.post(reverse(name, args=["twilio"])).status_code == 403


def test_check_and_connect_are_post_only(administrator_client, twilio_row):
    for name in ("integrations:check_now", "integrations:connect_webhooks"):
        assert administrator_client.get(reverse(name, args=["twilio"])).status_code == 405


# --- Connect webhooks ----------------------------------------------------------------------------


def accepted(kind: str) -> Integration:
    integration = configure(kind)
    Integration.objects.filter(pk=integration.pk).update(credentials_valid=True)
    integration.refresh_from_db()
    return integration


def test_connect_webhooks_configures_the_number_and_is_audited(
    administrator_client, administrator, fake_provider
):
    accepted("twilio")
    pn = fake_provider.add_twilio_number(TWILIO_FROM)
    url = reverse("integrations:connect_webhooks", args=["twilio"])

    response = administrator_client.post(url, follow=True)

    assert fake_provider.twilio_numbers[pn]["sms_url"] == INBOUND_URL
    assert flashes(response)[0].startswith("Twilio webhooks: connected.")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.WEBHOOKS_CONNECTED)
    assert entry.actor == administrator
    assert "incoming message URL set to Nextal's (was none)" in entry.detail
    assert Integration.objects.get(kind="twilio").webhook_state == "connected"

    fake_provider.reset_requests()
    administrator_client.post(url)

    assert fake_provider.requests_for("twilio.number_update") == []
    second = AuditEntry.objects.filter(action=AuditEntry.Action.WEBHOOKS_CONNECTED).first()
    assert second.detail.startswith("Already connected; nothing changed.")


def test_connect_webhooks_is_refused_for_a_loopback_public_url(
    administrator_client, settings, fake_provider
):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    accepted("twilio")
    fake_provider.add_twilio_number(TWILIO_FROM)

    page = administrator_client.get(reverse("integrations:list")).content.decode()
    twilio = card(page, "twilio")
    assert "127.0.0.1, a loopback address: Twilio cannot call it" in twilio
    assert (
        "disabled"
        in twilio[twilio.index("Connect webhooks") - 200 : twilio.index("Connect webhooks")]
    )

    response = administrator_client.post(
        reverse("integrations:connect_webhooks", args=["twilio"]), follow=True
    )
    assert "loopback address" in flashes(response)[0]
    assert fake_provider.requests == []
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.WEBHOOKS_CONNECTED).exists()


@pytest.mark.parametrize(
    ("base_url", "problem"),
    [
        ("http://127.0.0.1:8000", "loopback"),
        ("http://localhost:8000", "a name only this network knows"),
        ("https://10.1.2.3", "private"),
        ("https://192.168.1.20", "private"),
        ("https://[::1]:8000", "loopback"),
        ("https://ats.internal", "a name only this network knows"),
        ("https://ats", "a name only this network knows"),
        ("ftp://ats.example.com", "not a web address"),
        ("https://ats.example.com", None),
        ("https://203.0.113.10", "private"),  # TEST-NET-3: Python counts it as private
        ("https://8.8.8.8", None),
    ],
)
def test_which_public_base_urls_providers_can_reach(base_url, problem):
    found = public_url_problem("Twilio", base_url)
    if problem is None:
        assert found is None
    else:
        assert problem in found


def test_connect_needs_accepted_credentials(administrator_client, fake_provider):
    configure("twilio")  # secret set, never checked

    html = card(administrator_client.get(reverse("integrations:list")).content.decode(), "twilio")

    assert "Connect webhooks needs Twilio credentials that were accepted" in html


def test_a_provider_refusal_is_shown_and_nothing_is_stored(administrator_client, fake_provider):
    accepted("clicksend")
    fake_provider.queue("clicksend.inbound_rules", status=500, json={"response_msg": "Boom"})

    response = administrator_client.post(
        reverse("integrations:connect_webhooks", args=["clicksend"]), follow=True
    )

    assert flashes(response) == ["ClickSend refused the change: ClickSend answered HTTP 500: Boom"]
    assert Integration.objects.get(kind="clicksend").webhook_state == ""


# --- a new ClickSend webhook token offers to reconnect -------------------------------------------


def test_regenerating_the_token_reconnects_the_rules(administrator_client, fake_provider):
    clicksend = accepted("clicksend")
    url = reverse("integrations:connect_webhooks", args=["clicksend"])
    administrator_client.post(url)
    [inbound_id] = fake_provider.clicksend_rules["inbound"]
    old = clicksend.webhook_token

    regenerate = reverse("integrations:regenerate_webhook_token", args=["clicksend"])
    assert (
        "Update the webhook rules at the provider now"
        in administrator_client.get(regenerate).content.decode()
    )
    response = administrator_client.post(regenerate, {"reconnect": "on"}, follow=True)

    clicksend.refresh_from_db()
    assert clicksend.webhook_token != old
    rule = fake_provider.clicksend_rules["inbound"][inbound_id]
    assert clicksend.webhook_token in rule["action_address"]
    assert len(fake_provider.clicksend_rules["inbound"]) == 1  # updated, not duplicated
    assert "Webhooks: connected" in flashes(response)[0]


def test_regenerating_without_reconnect_says_the_provider_has_the_old_urls(
    administrator_client, fake_provider
):
    clicksend = accepted("clicksend")
    administrator_client.post(reverse("integrations:connect_webhooks", args=["clicksend"]))

    regenerate = reverse("integrations:regenerate_webhook_token", args=["clicksend"])
    response = administrator_client.post(regenerate, {}, follow=True)

    clicksend.refresh_from_db()
    assert clicksend.webhook_state == "elsewhere"
    assert "old webhook token" in clicksend.webhook_detail
    assert "Connect webhooks, or paste the new URLs" in flashes(response)[-1]


def test_the_clicksend_connect_uses_the_accepted_credentials(administrator_client, fake_provider):
    accepted("clicksend")
    administrator_client.post(reverse("integrations:connect_webhooks", args=["clicksend"]))
    assert {r.auth for r in fake_provider.requests} == {(CLICKSEND_USERNAME, CLICKSEND_API_KEY)}


def test_a_loopback_public_url_is_not_offered_as_ready_to_paste(administrator_client, settings):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8140"
    accepted("twilio")

    twilio = card(administrator_client.get(reverse("integrations:list")).content.decode(), "twilio")
    assert "Twilio cannot reach this address yet." in twilio
    assert "Or paste" not in twilio
    assert "cloudflared tunnel --url http://127.0.0.1:8140" in twilio
    assert "ngrok http 8140" in twilio
    assert "http://127.0.0.1:8140/webhooks/twilio/inbound/" in twilio  # shown, for later

    settings.PUBLIC_BASE_URL = "https://ats.example.com"
    twilio = card(administrator_client.get(reverse("integrations:list")).content.decode(), "twilio")
    assert "cannot reach" not in twilio
    assert "Or paste this into the Twilio console yourself" in twilio
