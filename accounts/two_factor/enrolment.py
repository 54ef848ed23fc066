"""Adding, confirming and removing a user's authenticator (a django-otp TOTP device).

Enrolment is two steps: `pending_device` keeps one unconfirmed device with a fresh secret for
the QR code; `confirm` accepts it once the user types a code it produced, and issues recovery
codes. `disable` removes the authenticator and the recovery codes."""

import segno
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.events import record
from accounts.models import AuthEventKind
from accounts.two_factor import recovery

AUTHENTICATOR_NAME = "Authenticator app"


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device being enrolled (created on first call, kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code (no XML declaration, white quiet zone)."""
    return segno.make(device.config_url, error="m").svg_inline(omitsize=True, light="#fff")


def secret_for_typing(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for apps without a camera."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@transaction.atomic
def confirm(request, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm `device` if `code` is one of its codes; returns the new recovery codes."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token("".join(code.split())):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # One authenticator per user: an older one (re-enrolment) stops working.
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    codes = recovery.replace_codes(device.user)
    record(AuthEventKind.TWO_FACTOR_ENABLED, request=request, user=device.user)
    return codes


@transaction.atomic
def disable(request, user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record(AuthEventKind.TWO_FACTOR_DISABLED, request=request, user=user)


def regenerate_recovery_codes(request, user) -> list[str]:
    codes = recovery.replace_codes(user)
    record(AuthEventKind.RECOVERY_CODES_REGENERATED, request=request, user=user)
    return codes
