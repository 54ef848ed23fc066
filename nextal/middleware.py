"""Response headers every page carries beyond Django's SecurityMiddleware and django-csp.

Pages show candidate data (names, numbers, conversations): browsers and shared proxies must not
keep a copy (`Cache-Control: no-store`), so the back button after signing out shows nothing.
Static files never reach this middleware (WhiteNoise answers them first, with long-lived caching).
A response that chose its own caching keeps it.
"""

from django.conf import settings
from django.utils.cache import add_never_cache_headers


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
