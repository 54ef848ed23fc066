"""Whether providers can reach PUBLIC_BASE_URL at all.

Connecting webhooks to a loopback or private address would silently break replies (the
provider's calls go nowhere), so the card refuses and says why. Only the literal host is judged:
resolving names here would be slow and would still not prove the provider can reach it.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings

LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa", ".test", ".example")


def public_url_problem(provider: str = "the provider", base_url: str | None = None) -> str | None:
    """Why `provider` cannot call `base_url` (PUBLIC_BASE_URL by default), or None."""
    base_url = settings.PUBLIC_BASE_URL if base_url is None else base_url
    parts = urlsplit(base_url)
    host = (parts.hostname or "").rstrip(".").lower()
    advice = (
        "To receive replies, expose Nextal at a public https address (for a local try, a tunnel "
        f"such as `cloudflared tunnel --url {base_url}` or `ngrok http {parts.port or 80}`; in "
        "production, its public host), set PUBLIC_BASE_URL to that address and restart Nextal."
    )
    if parts.scheme not in ("http", "https") or not host:
        return f"PUBLIC_BASE_URL ({base_url}) is not a web address. {advice}"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" or host.endswith(LOCAL_SUFFIXES) or "." not in host:
            return (
                f"PUBLIC_BASE_URL points at {host}, a name only this network knows: "
                f"{provider} cannot call it. {advice}"
            )
        return None
    if address.is_loopback:
        kind = "a loopback address"
    elif address.is_private or address.is_link_local or address.is_unspecified:
        kind = "a private address"
    elif address.is_reserved or address.is_multicast:
        kind = "a reserved address"
    else:
        return None
    return f"PUBLIC_BASE_URL points at {host}, {kind}: {provider} cannot call it. {advice}"
