"""Sign-in lockouts (django-axes): who is locked out now, and unlocking them."""

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.events import record
from accounts.models import AuthEventKind


def current_lockouts():
    """Username + address pairs locked out now (at the failure limit within the cool-off)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).order_by("-attempt_time")


def locked_until(attempt: AccessAttempt):
    return attempt.attempt_time + settings.AXES_COOLOFF_TIME


def unlock(request, *, username: str, ip_address: str | None, by) -> int:
    """Forget the failures of `username` (from `ip_address`, or from everywhere)."""
    count = reset(username=username, ip=ip_address or None)
    user = get_user_model().objects.filter(username=username).first()
    where = f"from {ip_address}" if ip_address else "from every address"
    record(
        AuthEventKind.UNLOCKED,
        request=request,
        user=user,
        username=username,
        actor=by,
        detail=f"unlocked {where}",
    )
    return count
