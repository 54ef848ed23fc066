"""Each signed-in user sees times, and schedules messages, in their own time zone.

The zone lives in the session (put there at sign-in and when it is changed), so pages do not
pay a query for it."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from core.time_zones import zone_or_none

SESSION_KEY = "nextal_time_zone"


def remember_time_zone(request, name: str) -> None:
    request.session[SESSION_KEY] = name or ""


@receiver(user_logged_in)
def _time_zone_at_sign_in(sender, request, user, **kwargs):
    from nextal.models import UserPreferences

    name = UserPreferences.objects.filter(user=user).values_list("time_zone", flat=True).first()
    if request is not None and hasattr(request, "session"):
        remember_time_zone(request, name or "")


class UserTimeZoneMiddleware:
    """Activates the user's time zone (Your time zone), else keeps TIME_ZONE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        zone = zone_or_none(session.get(SESSION_KEY, "")) if session is not None else None
        if zone is None:
            timezone.deactivate()
            return self.get_response(request)
        with timezone.override(zone):
            return self.get_response(request)
