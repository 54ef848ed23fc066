"""What a signed-in session still owes before it may use Nextal, kept in the session.

Decided once when the password is accepted (accounts/receivers.py), so that pages cost no query
for it: DONE (nothing), VERIFY (the account has a confirmed authenticator: a code is due) or
ENROL (an administrator while REQUIRE_2FA_FOR_ADMINS is on, without an authenticator)."""

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.roles import ADMINISTRATORS

SESSION_KEY = "accounts_2fa"
DONE = "done"
VERIFY = "verify"
ENROL = "enrol"


def is_administrator(user) -> bool:
    return bool(
        user.is_superuser or user.is_staff or user.groups.filter(name=ADMINISTRATORS).exists()
    )


def required_for(user) -> bool:
    return bool(settings.REQUIRE_2FA_FOR_ADMINS) and is_administrator(user)


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def state_after_password(user) -> str:
    if has_authenticator(user):
        return VERIFY
    if required_for(user):
        return ENROL
    return DONE


def owed(request) -> str:
    return request.session.get(SESSION_KEY, DONE)


def settle(request) -> None:
    """The session has proved what it owed: a fresh session key, nothing owed any more."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = DONE
