"""SMS provider settings (one row per provider kind) and their audit trail."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.phone import display
from integrations.fields import EncryptedTextField, UndecryptableSecret


def new_webhook_token() -> str:
    return secrets.token_urlsafe(32)


class ProviderKind(models.TextChoices):
    # The registry in sms/providers/__init__.py maps each kind to its adapter module.
    TWILIO = "twilio", "Twilio"
    CLICKSEND = "clicksend", "ClickSend"


class WebhookState(models.TextChoices):
    """What the provider's own configuration says about where it sends webhooks, as last read
    back from the provider (`integrations/webhook_wiring.py`)."""

    CONNECTED = "connected", "Connected"  # what the provider has equals what Nextal expects
    NOT_CONNECTED = "not_connected", "Not connected"
    ELSEWHERE = "elsewhere", "Points elsewhere"
    UNKNOWN = "unknown", "Could not check"


class Integration(models.Model):
    """Settings of one SMS provider. At most one row is active (database constraint)."""

    kind = models.CharField(max_length=20, choices=ProviderKind.choices, unique=True)
    is_active = models.BooleanField(default=False)
    phone_number = models.CharField("Phone Number", max_length=20, blank=True)  # E.164
    # Twilio only: sends go through this Messaging Service ("MG" + 32 hex); its pool picks the
    # sender. US A2P 10DLC campaigns live on Messaging Services.
    messaging_service_sid = models.CharField("Messaging Service SID", max_length=34, blank=True)
    # ClickSend only: an alphanumeric sender ID instead of a dedicated number (no replies).
    alpha_sender = models.CharField("Alphanumeric sender ID", max_length=11, blank=True)
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
    # Whether the sender (number, Messaging Service, pool) is on the account, checked with the
    # credentials. True: found; False: not found (the message says what to do); None: unchecked.
    sender_checked_at = models.DateTimeField(null=True, blank=True)
    sender_ok = models.BooleanField(null=True, blank=True)
    sender_check_message = models.CharField(max_length=300, blank=True)
    # Twilio with a Messaging Service: the Phone Number is in its pool, so sends may name it.
    sender_in_pool = models.BooleanField(default=False)
    # Where the provider sends replies and receipts, as last read back from it.
    webhook_state = models.CharField(max_length=20, choices=WebhookState.choices, blank=True)
    webhook_detail = models.CharField(max_length=300, blank=True)
    webhook_checked_at = models.DateTimeField(null=True, blank=True)
    # When this provider was last made the active one ("no receipts since activation").
    activated_at = models.DateTimeField(null=True, blank=True)
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
            # A Messaging Service is Twilio's; an alphanumeric sender ID is ClickSend's, and it
            # replaces the dedicated number (one sender or the other).
            models.CheckConstraint(
                condition=Q(kind="twilio") | Q(messaging_service_sid=""),
                name="messaging_service_only_for_twilio",
            ),
            models.CheckConstraint(
                condition=Q(kind="clicksend") | Q(alpha_sender=""),
                name="alpha_sender_only_for_clicksend",
            ),
            models.CheckConstraint(
                condition=Q(alpha_sender="") | Q(phone_number=""),
                name="alpha_sender_or_phone_number",
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
    def sender(self) -> str:
        """What SMS are sent from: the alphanumeric sender ID, else the Phone Number ("" when a
        Messaging Service picks the sender)."""
        return self.alpha_sender or self.phone_number

    @property
    def sender_label(self) -> str:
        """How the sender reads in a sentence: "+1 202-555-0143", "the sender ID “Nextal”",
        "its Messaging Service's pool"."""
        if self.alpha_sender:
            return f"the sender ID “{self.alpha_sender}”"
        if self.phone_number:
            return display(self.phone_number)
        return "its Messaging Service's pool" if self.messaging_service_sid else "no sender yet"

    @property
    def has_sender(self) -> bool:
        return bool(self.sender or self.messaging_service_sid)

    @property
    def can_send(self) -> bool:
        return self.is_active and self.has_secret and self.has_sender and bool(self.account_id)


class AuditEntry(models.Model):
    """Who changed what on an integration, and when. Never holds secret values."""

    class Action(models.TextChoices):
        ACTIVATED = "activated", "Activated"
        DEACTIVATED = "deactivated", "Deactivated"
        SETTINGS_CHANGED = "settings_changed", "Settings changed"
        SECRET_UPDATED = "secret_updated", "Secret updated"
        WEBHOOK_TOKEN_REGENERATED = "webhook_token_regenerated", "Webhook token regenerated"
        TEST_SMS_SENT = "test_sms_sent", "Test SMS sent"
        WEBHOOKS_CONNECTED = "webhooks_connected", "Webhooks connected"
        CHECKED = "checked", "Checked with the provider"

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
