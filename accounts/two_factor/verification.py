"""Checking the second factor at sign-in: a code from the authenticator or a recovery code.

django-otp throttles each device (a failure doubles the wait before the next try) and refuses
a TOTP code that was already used, so a code cannot be replayed or guessed quickly."""

import django_otp
from django.utils import timezone

from accounts.events import record
from accounts.models import AuthEventKind
from accounts.two_factor import recovery
from accounts.two_factor.enrolment import confirmed_device
from accounts.two_factor.state import settle


def _looks_like_totp(code: str) -> bool:
    return code.isdigit() and len(code) in (6, 8)


def verify(request, code: str) -> bool:
    """Accept `code` for request.user's session; records the outcome either way."""
    user = request.user
    code = "".join(code.split())
    if _looks_like_totp(code):
        device = confirmed_device(user)
        token = code
        kind = AuthEventKind.TWO_FACTOR_VERIFIED
    else:
        device = recovery.recovery_device(user)
        token = recovery.stored_form(code)
        kind = AuthEventKind.RECOVERY_CODE_USED
    accepted = device is not None and django_otp.verify_token(user, device.persistent_id, token)
    if not accepted:
        record(AuthEventKind.TWO_FACTOR_FAILED, request=request, user=user)
        return False
    settle(request)
    django_otp.login(request, accepted)
    detail = ""
    if kind == AuthEventKind.RECOVERY_CODE_USED:
        detail = f"{recovery.remaining(user)} recovery codes left"
    record(kind, request=request, user=user, detail=detail)
    return True


def throttled_for(request) -> int:
    """Seconds before the authenticator accepts another try (0 when it does now)."""
    device = confirmed_device(request.user)
    if device is None:
        return 0
    allowed, data = device.verify_is_allowed()
    if allowed or not data or "locked_until" not in data:
        return 0
    return max(1, int((data["locked_until"] - timezone.now()).total_seconds()))
