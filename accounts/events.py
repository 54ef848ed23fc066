"""Writing the auth and admin event log (accounts.models.AuthEvent), and its log lines.

Every event is also a log line on the `nextal.auth` logger (no passwords, codes or session keys:
only the kind, the account's name, the address and the detail)."""

import logging

from accounts.addresses import client_address
from accounts.models import AuthEvent, AuthEventKind

logger = logging.getLogger("nextal.auth")

_WARNINGS = {
    AuthEventKind.SIGN_IN_FAILED,
    AuthEventKind.LOCKED_OUT,
    AuthEventKind.TWO_FACTOR_FAILED,
}


def _address(request) -> str | None:
    return None if request is None else client_address(request)


def record(
    kind: AuthEventKind,
    *,
    request=None,
    user=None,
    username: str = "",
    actor=None,
    detail: str = "",
) -> AuthEvent:
    if user is not None and not username:
        username = user.get_username()
    agent = request.headers.get("User-Agent", "")[:300] if request is not None else ""
    event = AuthEvent.objects.create(
        kind=kind,
        user=user if user is not None and user.pk else None,
        username=(username or "")[:150],
        actor=actor,
        ip_address=_address(request),
        user_agent=agent,
        detail=detail[:300],
    )
    level = logging.WARNING if kind in _WARNINGS else logging.INFO
    logger.log(
        level,
        "%s username=%r ip=%s%s",
        kind.value,
        event.username,
        event.ip_address or "-",
        f" by={actor.get_username()!r}" if actor is not None else "",
    )
    return event
