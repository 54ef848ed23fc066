"""The auth and admin event log: who signed in, failed, was locked out, changed a second factor,
a password or a role. Append-only: the model refuses changes and a database trigger refuses
UPDATEs of the facts. accounts/events.py writes it."""

from django.conf import settings
from django.db import models


class AuthEventKind(models.TextChoices):
    SIGNED_IN = "signed_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    LOCKED_OUT = "locked_out", "Locked out"
    UNLOCKED = "unlocked", "Unlocked"
    SIGNED_OUT = "signed_out", "Signed out"
    TWO_FACTOR_VERIFIED = "2fa_verified", "Second factor verified"
    TWO_FACTOR_FAILED = "2fa_failed", "Second factor refused"
    RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
    TWO_FACTOR_ENABLED = "2fa_enabled", "Two-factor sign-in turned on"
    TWO_FACTOR_DISABLED = "2fa_disabled", "Two-factor sign-in turned off"
    RECOVERY_CODES_REGENERATED = "recovery_codes_regenerated", "Recovery codes replaced"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    ROLE_ADDED = "role_added", "Role given"
    ROLE_REMOVED = "role_removed", "Role taken away"
    ADMIN_FLAGS_CHANGED = "admin_flags_changed", "Staff or superuser status changed"


class AuthEvent(models.Model):
    kind = models.CharField(max_length=32, choices=AuthEventKind.choices)
    # The account the event is about (kept as a name too: failures name accounts that may not
    # exist, and a deleted account's history stays readable).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="auth_events",
    )
    username = models.CharField(max_length=150, blank=True)
    # Who did it, when not the account itself (an administrator unlocking or changing a role).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=AuthEventKind.values), name="auth_event_kind_known"
            ),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="auth_event_user_recent")]
        permissions = [
            ("view_auth_log", "Can read the sign-in and account event log"),
            ("unlock_sign_in", "Can unlock a locked-out sign-in"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.username}"

    def save(self, *args, **kwargs):
        # Append-only (a database trigger refuses changes of the facts, accounts/migrations/0002).
        if self.pk is not None and not self._state.adding:
            raise ValueError("The sign-in log is append-only: record a new event instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The sign-in log is append-only: events are not deleted one by one.")
