"""Per-user rate limits (django-ratelimit) for sending SMS and searching, and the 429 answer.

`@rate_limited("sms-send", "RATE_LIMIT_SMS_SEND", method="POST")` counts the signed-in user's
requests in the cache (Redis with REDIS_URL, else this process's memory) per fixed window; the
rate ("30/m") is read from the setting at each request. Over it, the view is not run and
RatelimitMiddleware answers with `too_many_requests`: a page, or for htmx a 429 whose HX-Trigger
shows the message in the flash stack (static/js/app.js), with the message as a plain-text body."""

import json
from functools import wraps

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

MESSAGE = "You are doing that too often. Wait a minute, then try again."
_PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _rate_setting(name):
    return lambda group, request: getattr(settings, name)


def rate_limited(group: str, setting: str, *, method=("GET", "POST"), when=None):
    """Limit the decorated view per user; `when(request)` narrows which requests count."""
    methods = [method] if isinstance(method, str) else list(method)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if (when is None or when(request)) and is_ratelimited(
                request,
                group=group,
                key="user_or_ip",
                rate=_rate_setting(setting),
                method=methods,
                increment=True,
            ):
                request.rate_limit_setting = setting
                raise Ratelimited(MESSAGE)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def searching(request) -> bool:
    return bool(request.GET.get("q", "").strip())


def _retry_after(request) -> int:
    rate = getattr(settings, getattr(request, "rate_limit_setting", ""), "1/m")
    period = rate.split("/", 1)[-1] if "/" in rate else "m"
    digits = "".join(ch for ch in period if ch.isdigit())
    return int(digits or 1) * _PERIOD_SECONDS.get(period[-1:], 60)


def too_many_requests(request, exception):
    if getattr(request, "htmx", False):
        # Plain text: the reason app.js shows for any failed htmx request; the HX-Trigger shows
        # it in the flash stack as well (the same message is not shown twice).
        response = HttpResponse(MESSAGE, content_type="text/plain; charset=utf-8", status=429)
        response["HX-Trigger"] = json.dumps({"nextal:flash": {"text": MESSAGE, "kind": "error"}})
    else:
        response = render(request, "429.html", {"message": MESSAGE}, status=429)
    response["Retry-After"] = str(_retry_after(request))
    return response
