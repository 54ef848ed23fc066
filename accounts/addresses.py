"""The client address sign-in throttling counts failures for (django-axes's
AXES_CLIENT_IP_CALLABLE) and the event log records.

Behind a reverse proxy every request comes from the proxy's address, so with TRUSTED_PROXY on
the address is the last one in X-Forwarded-For: the one our own proxy appended (earlier entries
are whatever the client sent, and a client can write anything there)."""

from django.conf import settings


def client_address(request) -> str | None:
    if getattr(settings, "TRUSTED_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR") or None
