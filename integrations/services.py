"""Changing SMS provider settings: activation, configuration, secrets, webhook tokens.

Every change goes through here so that it is transactional, audited (without secret values) and
keeps "exactly one active provider" true. The database constraint `only_one_active_sms_provider`
is the last line of defence; switching providers locks every row in a fixed order first, so two
administrators activating different providers at once are serialized instead of failing.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from core.phone import sender_to_e164
from integrations.models import AuditEntry, Integration, new_webhook_token
from integrations.provider_checks import fields_for, read_sender_and_webhooks
from integrations.providers import provider_class, provider_for
from integrations.providers.base import CredentialCheck

logger = logging.getLogger(__name__)

SECRET_MAX_LENGTH = 200


@dataclass
class SettingsChange:
    """What `update_settings` did, for the page to say so."""

    integration: Integration
    changed_fields: list[str] = field(default_factory=list)
    activated: bool = False
    deactivated: bool = False  # this provider was switched off
    others_deactivated: list[Integration] = field(default_factory=list)

    @property
    def message(self) -> str:
        name = str(self.integration)
        if self.activated:
            text = f"{name} is now the active SMS provider."
            for other in self.others_deactivated:
                text += f" {other} was deactivated."
            return text
        if self.deactivated:
            return f"{name} was deactivated. No SMS will be sent until a provider is active."
        if self.changed_fields:
            return f"{name} settings saved."
        return f"No changes to {name}."


def account_id_label(kind: str) -> str:
    return provider_class(kind).account_id_label  # "Account SID" / "Username"


def secret_label(kind: str) -> str:
    return provider_class(kind).secret_label  # "Auth Token" / "API Key"


def _audit(integration: Integration, action: str, by, detail: str = "") -> AuditEntry:
    return AuditEntry.objects.create(
        integration=integration, action=action, actor=by, detail=detail[:300]
    )


def _lock_all() -> dict[str, Integration]:
    # Always the same order (primary key), so two switches can never deadlock each other.
    rows = Integration.objects.select_for_update().order_by("pk")
    return {row.kind: row for row in rows}


def _activate_locked(rows: dict[str, Integration], target: Integration, by) -> list[Integration]:
    """Deactivate every other provider, then activate `target`; returns those deactivated."""
    others_deactivated = []
    for other in rows.values():
        if other.pk != target.pk and other.is_active:
            other.is_active = False
            other.save(update_fields=["is_active", "updated_at"])
            _audit(other, AuditEntry.Action.DEACTIVATED, by, f"{target} was activated instead")
            others_deactivated.append(other)
    if not target.is_active:
        target.is_active = True
        target.activated_at = timezone.now()
        target.save(update_fields=["is_active", "activated_at", "updated_at"])
        _audit(target, AuditEntry.Action.ACTIVATED, by)
    return others_deactivated


def _deactivate_locked(target: Integration, by) -> bool:
    if not target.is_active:
        return False
    target.is_active = False
    target.save(update_fields=["is_active", "updated_at"])
    _audit(target, AuditEntry.Action.DEACTIVATED, by)
    return True


def _sync(integration: Integration, locked: Integration) -> None:
    """Copy the committed state back onto the caller's instance."""
    for name in (f.attname for f in Integration._meta.concrete_fields):
        setattr(integration, name, getattr(locked, name))


@transaction.atomic
def activate_provider(integration: Integration, *, by) -> list[Integration]:
    """Make `integration` the one active SMS provider. Returns the providers it deactivated.

    Idempotent: activating the active provider changes and records nothing.
    """
    rows = _lock_all()
    target = rows[integration.kind]
    others_deactivated = _activate_locked(rows, target, by)
    _sync(integration, target)
    return others_deactivated


@transaction.atomic
def deactivate_provider(integration: Integration, *, by) -> bool:
    """Switch `integration` off; outbound SMS stop at once. Returns whether it was active."""
    target = _lock_all()[integration.kind]
    changed = _deactivate_locked(target, by)
    _sync(integration, target)
    return changed


SENDER_FIELDS = ("phone_number", "messaging_service_sid", "alpha_sender")


def _clean_settings(
    kind: str,
    *,
    phone_number: str,
    account_id: str,
    activate: bool,
    messaging_service_sid: str = "",
    alpha_sender: str = "",
) -> dict:
    provider = provider_class(kind)
    errors: dict[str, list[ValidationError]] = {}
    cleaned = {
        "phone_number": "",
        "account_id": "",
        "messaging_service_sid": "",
        "alpha_sender": "",
    }
    if (phone_number or "").strip():
        try:
            cleaned["phone_number"] = sender_to_e164(phone_number)
        except ValidationError as exc:
            errors["phone_number"] = exc.error_list
    for name, value, clean in (
        ("account_id", account_id, provider.clean_account_id),
        ("messaging_service_sid", messaging_service_sid, provider.clean_messaging_service_sid),
        ("alpha_sender", alpha_sender, provider.clean_alpha_sender),
    ):
        try:
            cleaned[name] = clean(value)
        except ValidationError as exc:
            errors[name] = exc.error_list
    if cleaned["alpha_sender"] and cleaned["phone_number"]:
        errors["alpha_sender"] = [
            ValidationError(
                "Send from a dedicated number or from a sender ID, not both: clear one of them.",
                "both_senders",
            )
        ]
    if activate:
        if not set(SENDER_FIELDS) & set(errors) and not (
            cleaned["phone_number"] or cleaned["messaging_service_sid"] or cleaned["alpha_sender"]
        ):
            if provider.supports_messaging_service:
                text = (
                    "Enter the number SMS are sent from, or a Messaging Service SID, before "
                    "activating."
                )
            elif provider.supports_alpha_sender:
                text = "Enter the number SMS are sent from, or a sender ID, before activating."
            else:
                text = "Enter the number SMS are sent from before activating."
            errors["phone_number"] = [ValidationError(text, "required")]
        if not cleaned["account_id"] and "account_id" not in errors:
            errors["account_id"] = [
                ValidationError(
                    f"Enter the {account_id_label(kind)} before activating.", "required"
                )
            ]
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def update_settings(
    integration: Integration,
    *,
    phone_number: str,
    account_id: str,
    activate: bool,
    by,
    messaging_service_sid: str = "",
    alpha_sender: str = "",
) -> SettingsChange:
    """Save the sender (phone number, Messaging Service, sender ID) and account identifier, then
    activate or deactivate.

    Raises ValidationError keyed by field and changes nothing when the input is invalid.
    Activation requires an account identifier and a sender.
    """
    cleaned = _clean_settings(
        integration.kind,
        phone_number=phone_number,
        account_id=account_id,
        activate=activate,
        messaging_service_sid=messaging_service_sid,
        alpha_sender=alpha_sender,
    )
    rows = _lock_all()
    target = rows[integration.kind]
    change = SettingsChange(integration=integration)

    labels = {
        "phone_number": "Phone Number",
        "account_id": account_id_label(target.kind),
        "messaging_service_sid": "Messaging Service SID",
        "alpha_sender": "Sender ID",
    }
    update_fields = []
    for name, value in cleaned.items():
        if getattr(target, name) != value:
            setattr(target, name, value)
            update_fields.append(name)
            change.changed_fields.append(labels[name])
    if "account_id" in update_fields and target.credentials_checked_at:
        # The stored secret was checked against the previous account; say so instead of
        # showing a stale "accepted".
        target.credentials_checked_at = None
        target.credentials_valid = None
        target.credentials_check_message = f"Not checked since the {labels['account_id']} changed."
        update_fields += [
            "credentials_checked_at",
            "credentials_valid",
            "credentials_check_message",
        ]
    changed_sender = [name for name in (*SENDER_FIELDS, "account_id") if name in update_fields]
    if changed_sender and target.sender_checked_at:
        # The sender check was about the previous sender: say so instead of a stale answer.
        target.sender_checked_at = None
        target.sender_ok = None
        target.sender_in_pool = False
        target.sender_check_message = (
            f"Not checked since the {labels[changed_sender[0]]} changed: Check now."
        )
        update_fields += [
            "sender_checked_at",
            "sender_ok",
            "sender_in_pool",
            "sender_check_message",
        ]
    if changed_sender and target.webhook_state:
        target.webhook_state = ""
        target.webhook_detail = f"Not checked since the {labels[changed_sender[0]]} changed."
        target.webhook_checked_at = None
        update_fields += ["webhook_state", "webhook_detail", "webhook_checked_at"]
    if update_fields:
        target.save(update_fields=[*update_fields, "updated_at"])
        detail = "; ".join(
            f"{labels[name]}: {getattr(target, name) or '(empty)'}"
            for name in ("phone_number", "messaging_service_sid", "alpha_sender", "account_id")
            if name in update_fields
        )
        _audit(target, AuditEntry.Action.SETTINGS_CHANGED, by, detail)

    if activate:
        change.activated = not target.is_active
        change.others_deactivated = _activate_locked(rows, target, by)
    else:
        change.deactivated = _deactivate_locked(target, by)
    _sync(integration, target)
    return change


@sensitive_variables("secret", "value", "unsaved")
def update_secret(integration: Integration, secret: str, *, by):
    """Check a new Auth Token / API Key with the provider, then store it encrypted.

    Rejected by the provider: ValidationError, nothing stored. Provider unreachable: stored and
    marked "Not verified: <reason>". Returns the `CredentialCheck` as stored.
    """
    value = (secret or "").strip()
    label = secret_label(integration.kind)
    if not value:
        raise ValidationError(f"Enter the {label}.", code="required")
    if len(value) > SECRET_MAX_LENGTH or any(c.isspace() for c in value):
        raise ValidationError(f"This does not look like a {label}.", code="invalid")
    if not integration.account_id:
        raise ValidationError(
            f"Save the {account_id_label(integration.kind)} first (Edit), so the {label} can be "
            "checked.",
            code="no_account_id",
        )

    # The network call happens outside any transaction: no row stays locked while we wait.
    check = provider_for(integration, secret=value).check_credentials()
    if check.valid is False:
        logger.info("%s rejected new credentials: %s", integration, check.message)
        raise ValidationError(
            f"{check.message} Check the {label} and try again; nothing was saved.",
            code="rejected",
        )
    message = check.message
    if check.valid is None and not message.lower().startswith("not verified"):
        message = f"Not verified: {message}"
    # The sender and the webhooks are checked with every accepted credential (still outside
    # any transaction), so the card says at once whether the number is on this account.
    extra = {}
    if check.valid:
        unsaved = copy.copy(integration)  # not saved: the new secret is not stored yet
        unsaved.secret = value
        sender, webhooks = read_sender_and_webhooks(unsaved)
        extra = fields_for(sender, webhooks, timezone.now())

    now = timezone.now()
    with transaction.atomic():
        target = Integration.objects.select_for_update().get(pk=integration.pk)
        target.secret = value
        target.secret_last4 = value[-4:]
        target.secret_updated_at = now
        target.secret_updated_by = by
        target.credentials_checked_at = now
        target.credentials_valid = check.valid
        target.credentials_check_message = message[:300]
        for name, field_value in extra.items():
            setattr(target, name, field_value)
        target.save(
            update_fields=[
                *extra,
                "secret",
                "secret_last4",
                "secret_updated_at",
                "secret_updated_by",
                "credentials_checked_at",
                "credentials_valid",
                "credentials_check_message",
                "updated_at",
            ]
        )
        _audit(target, AuditEntry.Action.SECRET_UPDATED, by, message)
    _sync(integration, target)
    return CredentialCheck(check.valid, message)


@transaction.atomic
def regenerate_webhook_token(integration: Integration, *, by) -> None:
    """Replace the webhook token; the old URLs stop working at once."""
    target = Integration.objects.select_for_update().get(pk=integration.pk)
    target.webhook_token = new_webhook_token()
    target.save(update_fields=["webhook_token", "updated_at"])
    _audit(target, AuditEntry.Action.WEBHOOK_TOKEN_REGENERATED, by)
    _sync(integration, target)
