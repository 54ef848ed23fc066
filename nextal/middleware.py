"""Request and response guards of the whole site.

`PrivatePagesMiddleware`: the response headers every page carries beyond Django's
SecurityMiddleware and django-csp.

Pages show candidate data (names, numbers, conversations): browsers and shared proxies must not
keep a copy (`Cache-Control: no-store`), so the back button after signing out shows nothing.
Static files never reach this middleware (WhiteNoise answers them first, with long-lived caching).
A response that chose its own caching keeps it.

`WebhookFastLaneMiddleware`: provider webhooks skip the rest of the middleware (core/fast_lane.py).

`UserTimeZoneMiddleware`: each signed-in user sees times, and schedules messages, in their own
time zone. The zone lives in the session (put there at sign-in and when it is changed), so
pages do not pay a query for it.
"""

import functools

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponseBadRequest
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from core.fast_lane import takes_fast_lane
from core.time_zones import zone_or_none

SESSION_KEY = "nextal_time_zone"


class PrivatePagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response:
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


WEBHOOK_PREFIX = "/webhooks/"


class WebhookFastLaneMiddleware:
    """A request for a fast-lane webhook view is answered by the view itself, without the
    middleware after this one; every other request passes on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(WEBHOOK_PREFIX):
            match = _fast_lane_match(request.path_info, settings.ROOT_URLCONF)
            if match is not None:
                request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware checks it (400 if not)
                request.resolver_match = match
                return match.func(request, *match.args, **match.kwargs)
        return self.get_response(request)


@functools.lru_cache(maxsize=256)
def _fast_lane_match(path: str, urlconf: str):
    """The route of a fast-lane view at `path`, else None. Kept per path: resolving walks every
    route of the site (a quarter of an acknowledgement's time) and a webhook's path never changes
    (ClickSend's carries its token; a rotated token is a new path)."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    return match if takes_fast_lane(match.func) else None


class RefuseNulCharactersMiddleware:
    """A NUL character in a query or form parameter is a 400, not a database error (PostgreSQL
    text cannot hold one; every search and lookup would otherwise be a 500).

    Provider webhooks are left alone: they must keep what a candidate sent and clean it
    themselves (`sms.text.cleaning`), and Twilio signs the values exactly as posted.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(WEBHOOK_PREFIX) and (
            _has_nul(request.GET) or _has_nul(request.POST)
        ):
            return HttpResponseBadRequest(
                "The request contains a NUL character.", content_type="text/plain"
            )
        return self.get_response(request)


def _has_nul(params) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in params.lists())


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
