"""Two sign-in rules every request passes through.

- IdleSessionMiddleware: a session ends SESSION_IDLE_HOURS after its last request. Django's
  session store expires a session SESSION_COOKIE_AGE after it was last saved, so the session is
  saved again (expiry pushed back) at most once a minute rather than on every request.
- TwoFactorMiddleware: a session that still owes a second factor (or, for an administrator when
  REQUIRE_2FA_FOR_ADMINS is on, an enrolment) reaches only those pages and signing out; every
  other page sends it there (htmx requests get HX-Redirect). The Django admin is covered too.
"""

import time
from contextvars import ContextVar
from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from accounts.two_factor import state

REFRESH_EVERY_SECONDS = 60
SEEN_KEY = "accounts_seen"

# The signed-in user of the request being served, for events recorded by model signals (a role
# changed in the Django admin names the administrator who changed it).
current_actor: ContextVar = ContextVar("current_actor", default=None)

_OPEN_WHILE_OWED = {
    state.VERIFY: {"accounts:verify", "logout"},
    state.ENROL: {"accounts:two_factor", "accounts:two_factor_confirm", "logout"},
}
_DESTINATION = {state.VERIFY: "accounts:verify", state.ENROL: "accounts:two_factor"}


class IdleSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty() and session.get("_auth_user_id"):
            now = int(time.time())
            if now - session.get(SEEN_KEY, 0) >= REFRESH_EVERY_SECONDS:
                session[SEEN_KEY] = now  # marks it modified: saved with a fresh expiry
        return response


def mark_seen(session) -> None:
    session[SEEN_KEY] = int(time.time())


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        token = current_actor.set(user if user is not None and user.is_authenticated else None)
        try:
            return self.get_response(request)
        finally:
            current_actor.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        owed = state.owed(request)
        if owed == state.DONE:
            return None
        if request.resolver_match.view_name in _OPEN_WHILE_OWED[owed]:
            return None
        target = reverse(_DESTINATION[owed])
        if request.method == "GET" and not request.htmx:
            target += "?" + urlencode({"next": request.get_full_path()})
        if request.htmx:
            return HttpResponseClientRedirect(target)
        return redirect(target)
