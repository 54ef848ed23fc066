"""The whole documented flow for both providers: audited, and the secret never shown again."""

import logging

from django.urls import reverse

from integrations.models import AuditEntry, Integration
from tests.fakes.fixtures import CLICKSEND_API_KEY, CLICKSEND_USERNAME, TWILIO_SID, TWILIO_TOKEN

A = AuditEntry.Action
HTMX = {"HTTP_HX_REQUEST": "true"}


class Recorder:
    """Keeps every response body of the walk."""

    def __init__(self, client):
        self.client = client
        self.bodies = []

    def get(self, url, **extra):
        return self._keep(self.client.get(url, **extra))

    def post(self, url, data, **extra):
        return self._keep(self.client.post(url, data, **extra))

    def _keep(self, response):
        assert response.status_code in (200, 302), response.status_code
        self.bodies.append(response.content.decode())
        return response


def walk(recorder, kind, *, phone, account_id, secret, htmx):
    extra = HTMX if htmx else {}
    edit = reverse("integrations:edit", kwargs={"kind": kind})
    credentials = reverse("integrations:edit_secret", kwargs={"kind": kind})
    recorder.get(reverse("integrations:list"))
    recorder.get(edit, **extra)
    recorder.post(
        edit, {"activate": "on", "phone_number": phone, "account_id": account_id}, **extra
    )
    recorder.get(credentials, **extra)
    recorder.post(credentials, {"secret": "not-" + secret}, **extra)  # rejected
    recorder.post(credentials, {"secret": secret}, **extra)
    recorder.get(credentials, **extra)
    recorder.get(reverse("integrations:list"))


def test_the_flow_never_shows_a_secret_and_audits_every_change(
    client, admin_user, twilio_row, clicksend_row, fake_provider, caplog
):
    caplog.set_level(logging.DEBUG)
    client.force_login(admin_user)  # a superuser, so the Django admin pages can be checked too
    recorder = Recorder(client)

    walk(
        recorder,
        "twilio",
        phone="+12025550143",
        account_id=TWILIO_SID,
        secret=TWILIO_TOKEN,
        htmx=False,
    )
    walk(
        recorder,
        "clicksend",
        phone="+61411111111",
        account_id=CLICKSEND_USERNAME,
        secret=CLICKSEND_API_KEY,
        htmx=True,
    )
    regenerate = reverse("integrations:regenerate_webhook_token", kwargs={"kind": "clicksend"})
    recorder.post(regenerate, {}, **HTMX)
    twilio_edit = reverse("integrations:edit", kwargs={"kind": "twilio"})
    recorder.post(twilio_edit, {"phone_number": "+12025550143", "account_id": TWILIO_SID})
    for model in ("integration", "auditentry"):
        recorder.get(reverse(f"admin:integrations_{model}_changelist"))
    for integration in Integration.objects.all():
        recorder.get(reverse("admin:integrations_integration_change", args=[integration.pk]))

    assert len(recorder.bodies) == 22
    for secret in (TWILIO_TOKEN, CLICKSEND_API_KEY):
        assert not [body for body in recorder.bodies if secret in body]
        assert secret not in caplog.text
        assert not AuditEntry.objects.filter(detail__contains=secret).exists()
    assert Integration.objects.get(kind="twilio").secret == TWILIO_TOKEN
    assert Integration.objects.get(kind="clicksend").secret == CLICKSEND_API_KEY

    trail = [
        (entry.integration.kind, entry.action, entry.actor)
        for entry in AuditEntry.objects.order_by("id")
    ]
    assert trail == [
        ("twilio", A.SETTINGS_CHANGED, admin_user),
        ("twilio", A.ACTIVATED, admin_user),
        ("twilio", A.SECRET_UPDATED, admin_user),
        ("clicksend", A.SETTINGS_CHANGED, admin_user),
        ("twilio", A.DEACTIVATED, admin_user),
        ("clicksend", A.ACTIVATED, admin_user),
        ("clicksend", A.SECRET_UPDATED, admin_user),
        ("clicksend", A.WEBHOOK_TOKEN_REGENERATED, admin_user),
    ]
    assert all(entry.created_at for entry in AuditEntry.objects.all())
    settings_change = AuditEntry.objects.filter(action=A.SETTINGS_CHANGED).first()  # newest
    assert settings_change.detail == f"Phone Number: +61411111111; Username: {CLICKSEND_USERNAME}"
    assert (
        AuditEntry.objects.get(integration__kind="twilio", action=A.DEACTIVATED).detail
        == "ClickSend was activated instead"
    )


def test_the_django_admin_cannot_change_integrations(admin_client, twilio_row):
    url = reverse("admin:integrations_integration_change", args=[twilio_row.pk])
    html = admin_client.get(url).content.decode()

    assert "Secret" in html
    assert 'name="secret"' not in html
    assert admin_client.post(url, {"is_active": "on"}).status_code == 403
    twilio_row.refresh_from_db()
    assert not twilio_row.is_active
