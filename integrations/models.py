"""SMS provider settings (one row per provider kind) and their audit trail."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from integrations.fields import EncryptedTextField, UndecryptableSecret


def new_webhook_token() -> str:
    return secrets.token_urlsafe(32)


class ProviderKind(models.TextChoices):
    # The registry in sms/providers/__init__.py maps each kind to its adapter module.
    TWILIO = "twilio", "Twilio"
    CLICKSEND = "clicksend", "ClickSend"


class Integration(models.Model):
    """Settings of one SMS provider. At most one row is active (database constraint)."""

    kind = models.CharField(max_length=20, choices=ProviderKind.choices, unique=True)
    is_active = models.BooleanField(default=False)
    phone_number = models.CharField("Phone Number", max_length=20, blank=True)  # E.164
    # Twilio Account SID ("AC" + 32 hex) or ClickSend Username.
    account_id = models.CharField(max_length=100, blank=True)
    # Twilio Auth Token / ClickSend API Key. Never rendered, logged or passed to tasks.
    secret = EncryptedTextField(blank=True, default="")
    secret_last4 = models.CharField(max_length=4, blank=True)
    secret_updated_at = models.DateTimeField(null=True, blank=True)
    secret_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    credentials_checked_at = models.DateTimeField(null=True, blank=True)
    # True: accepted by the provider; False: rejected; None: never checked or not verified.
    credentials_valid = models.BooleanField(null=True, blank=True)
    credentials_check_message = models.CharField(max_length=300, blank=True)
    # ClickSend does not sign webhooks: its URLs carry this unguessable, rotatable token.
    webhook_token = models.CharField(max_length=64, default=new_webhook_token)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="only_one_active_sms_provider",
            ),
        ]
        permissions = [("manage_integrations", "Can manage integrations (SMS providers)")]

    def __str__(self):
        return self.get_kind_display()

    @property
    def has_secret(self) -> bool:
        return bool(self.secret)

    @property
    def secret_undecryptable(self) -> bool:
        return isinstance(self.secret, UndecryptableSecret)

    @property
    def can_send(self) -> bool:
        return self.is_active and self.has_secret and bool(self.phone_number and self.account_id)


class AuditEntry(models.Model):
    """Who changed what on an integration, and when. Never holds secret values."""

    class Action(models.TextChoices):
        ACTIVATED = "activated", "Activated"
        DEACTIVATED = "deactivated", "Deactivated"
        SETTINGS_CHANGED = "settings_changed", "Settings changed"
        SECRET_UPDATED = "secret_updated", "Secret updated"
        WEBHOOK_TOKEN_REGENERATED = "webhook_token_regenerated", "Webhook token regenerated"
        TEST_SMS_SENT = "test_sms_sent", "Test SMS sent"

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="audit")
    action = models.CharField(max_length=40, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return (
            f"{self.integration} {self.get_action_display()} by {self.actor} at {self.created_at}"
        )
