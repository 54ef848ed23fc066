"""Provider webhooks take the fast lane past the site's middleware.

A webhook has no session, no user, no messages, no page to protect with CSP: the middleware
that serves people (sessions, messages, authentication, the time zone, two-factor, rate limits,
django-axes, CSP, gzip) does nothing for it but was a third of its acknowledgement's work.
`nextal.middleware.WebhookFastLaneMiddleware` calls a view marked here directly, after Django's
SecurityMiddleware and Nextal's private-pages headers (HTTPS redirect, security headers and
no-store still apply), once the host is checked against ALLOWED_HOSTS as CommonMiddleware would.

Only a view that is CSRF-exempt, needs no login and is marked `fast_lane` takes it; the view
verifies its caller itself (the provider's signature or secret token). Anything else, under the
webhook prefix or not, goes through every middleware.
"""

from __future__ import annotations

ATTRIBUTE = "webhook_fast_lane"


def fast_lane(view):
    """Mark a webhook view (CSRF-exempt, `login_not_required`) for the fast lane."""
    setattr(view, ATTRIBUTE, True)
    return view


def takes_fast_lane(view) -> bool:
    return (
        getattr(view, ATTRIBUTE, False) is True
        and getattr(view, "csrf_exempt", False) is True
        and getattr(view, "login_required", True) is False
    )
