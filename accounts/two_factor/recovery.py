"""Recovery codes: ten one-time codes (django-otp's static device), shown once.

The database keeps a keyed hash of each code, not the code (a leaked table or backup gives no
working code): `StaticToken.token` holds the first 16 hex characters of HMAC-SHA256 under the
SECRET_KEY, and a code typed at sign-in is hashed the same way before django-otp looks it up."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

RECOVERY_DEVICE_NAME = "Recovery codes"
CODE_COUNT = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i look-alikes


def normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def stored_form(code: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), b"recovery:" + normalise(code).encode(), hashlib.sha256
    )
    return digest.hexdigest()[:16]


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


@transaction.atomic
def replace_codes(user) -> list[str]:
    """New codes for `user` (the old ones stop working); returns them to show once."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [_new_code() for _ in range(CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=stored_form(code)) for code in codes
    )
    return codes


def remaining(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).first()
