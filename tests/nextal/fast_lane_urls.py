"""Routes for the fast-lane tests: the site's, plus probes under the webhook prefix that lack one
of the marks a fast-lane view needs (CSRF-exempt, no login, `fast_lane`)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from core.fast_lane import fast_lane
from nextal.urls import urlpatterns as site


def probe():
    """A view that says which middleware its request went through (sessions, the signed-in
    user); a new function each time (the decorators mark the function they are given)."""

    def view(request):
        seen = [name for name in ("session", "user") if hasattr(request, name)]
        return HttpResponse(",".join(seen) or "none", content_type="text/plain")

    return view


urlpatterns = [
    path("webhooks/probe/fast/", fast_lane(login_not_required(csrf_exempt(probe())))),
    path("webhooks/probe/csrf-protected/", fast_lane(login_not_required(probe()))),
    path("webhooks/probe/login-required/", fast_lane(csrf_exempt(probe()))),
    path("webhooks/probe/unmarked/", login_not_required(csrf_exempt(probe()))),
    *site,
]
