"""Where to send the browser after a form post."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, fallback: str) -> str:
    """The `next` the form carried, if it is a path on this site; otherwise `fallback`.

    Only a path ("/…"): `redirect()` would take "abc" for a view name and fail to reverse it.
    """
    target = request.POST.get("next") or request.GET.get("next")
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return fallback
