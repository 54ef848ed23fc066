"""Downloading one media file over HTTP, safely.

Credentials go only with the first request, and only when the provider's adapter vouches for
the URL (`SmsProvider.media_credentials`: Twilio's Media resource of this account on its API
host). Redirects (Twilio answers with one to its CDN) are followed by hand, at most a few, and
never with credentials; the environment's .netrc is not consulted. A 404 is asked again after
SMS_MEDIA_NOT_FOUND_RETRY_DELAYS (media can lag the webhook). The body is read in chunks and
abandoned past the size bound.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings

from integrations.providers.base import ca_bundle, send_timeout
from integrations.providers.transport import ProviderSession

MAX_REDIRECTS = 3
CHUNK = 64 * 1024


class FetchProblem(Exception):
    """The file could not be had. `keep_as_link`: it never will be (too large, not allowed),
    so it is not retried; otherwise the download is retried later."""

    def __init__(self, reason: str, *, keep_as_link: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.keep_as_link = keep_as_link


class _NotFound(Exception):
    pass


@dataclass(frozen=True)
class Fetched:
    content: bytes
    content_type: str  # as the server answered ("" when it did not say)


def fetch(url: str, *, auth: tuple[str, str] | None, max_bytes: int, sleep=time.sleep) -> Fetched:
    """The file at `url` (Basic `auth` for the first request only); raises FetchProblem."""
    delays = list(settings.SMS_MEDIA_NOT_FOUND_RETRY_DELAYS)
    while True:
        try:
            return _fetch_once(url, auth=auth, max_bytes=max_bytes)
        except _NotFound:
            if not delays:
                raise FetchProblem("the provider still answers 404 (not found)") from None
            sleep(delays.pop(0))


def _fetch_once(url: str, *, auth, max_bytes: int) -> Fetched:
    session = ProviderSession(ca_bundle())
    session.trust_env = False  # no .netrc credentials, no proxy from the environment
    current, current_auth = url, auth
    try:
        for _ in range(MAX_REDIRECTS + 1):
            response = session.get(
                current,
                auth=current_auth,
                stream=True,
                allow_redirects=False,
                timeout=send_timeout(),
            )
            with response:
                location = response.headers.get("Location")
                if response.status_code in (301, 302, 303, 307, 308) and location:
                    current, current_auth = urljoin(current, location), None
                    if urlsplit(current).scheme not in ("http", "https"):
                        raise FetchProblem("the provider redirected to a non-web address")
                    continue
                if response.status_code == 404:
                    raise _NotFound
                if response.status_code >= 400:
                    raise FetchProblem(f"the provider answered {response.status_code}")
                return Fetched(
                    content=_read_bounded(response, max_bytes),
                    content_type=response.headers.get("Content-Type", ""),
                )
        raise FetchProblem("too many redirects")
    except requests.RequestException as exc:
        raise FetchProblem(f"the download failed ({type(exc).__name__})") from None
    finally:
        session.close()


def _read_bounded(response, max_bytes: int) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchProblem(too_large(int(declared), max_bytes), keep_as_link=True)
    chunks, size = [], 0
    for chunk in response.iter_content(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise FetchProblem(too_large(size, max_bytes, at_least=True), keep_as_link=True)
        chunks.append(chunk)
    return b"".join(chunks)


def too_large(size: int, max_bytes: int, *, at_least: bool = False) -> str:
    more = "more than " if at_least else ""
    return f"{more}{megabytes(size)}, over the {megabytes(max_bytes)} limit"


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
