"""Whether a failed provider call could have reached the provider: the one fact that decides
between "retry" (nothing was sent) and "outcome unknown" (never resend).

Exception types do not tell: the same `SSLError` is raised for a failed handshake (nothing was
sent) and for a TLS record that could not be read while waiting for the answer (the provider
may have accepted and billed the message), and the ClickSend SDK wraps both alike. So the
adapters send through connections that record, per thread, when a call's connection was
established: until then nothing can have left; from then on the request may have been written.

    with provider_call():
        ...  # the SDK call, through a pool manager passed to `track()`
    ...
    except SomeError:
        if not request_may_have_been_sent(): ...  # safe to retry

A call made without `provider_call()`, or through an untracked pool, counts as "may have been
sent": when in doubt, never resend.

Sends keep their HTTP connections alive per thread (`pooled`): a worker thread reuses its own
session or pool manager across sends, never shares it with another thread, and drops it after
any exception (the connection's state is unknown) or after IDLE_SECONDS unused (a provider or a
load balancer may have closed it meanwhile; a request written into a connection the other side
is closing would fail as "may have been sent", i.e. "outcome unknown", for nothing).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.cookiejar import DefaultCookiePolicy
from typing import TypeVar
from urllib.parse import urlsplit

import requests
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_call = threading.local()
_kept = threading.local()

IDLE_SECONDS = 15.0
Client = TypeVar("Client")


@contextmanager
def provider_call():
    """One provider call on this thread: starts with "nothing sent yet"."""
    _call.connected = False
    try:
        yield
    finally:
        del _call.connected  # outside a call: unknown, so "may have been sent"


def request_may_have_been_sent() -> bool:
    """After a failure inside `provider_call()`: False only if the connection was never
    established, i.e. not a byte of the request can have reached the provider."""
    return getattr(_call, "connected", True)


class _TrackedConnection:
    """Marks the call "may have sent" once the connection (TCP and, for https, TLS) is up, or
    when a request starts on a kept-alive connection."""

    def connect(self) -> None:
        super().connect()
        _call.connected = True

    def request(self, *args, **kwargs):
        if self.sock is not None:  # reused: the request is written at once
            _call.connected = True
        return super().request(*args, **kwargs)


class TrackedHTTPConnection(_TrackedConnection, HTTPConnection):
    pass


class TrackedHTTPSConnection(_TrackedConnection, HTTPSConnection):
    pass


class TrackedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = TrackedHTTPConnection


class TrackedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = TrackedHTTPSConnection


TRACKED_POOLS = {"http": TrackedHTTPConnectionPool, "https": TrackedHTTPSConnectionPool}


def track(pool_manager):
    """Make a urllib3 PoolManager (the ClickSend SDK's, or a requests adapter's) open tracked
    connections. Returns it."""
    pool_manager.pool_classes_by_scheme = TRACKED_POOLS
    return pool_manager


def track_session(session):
    """The same for every adapter mounted on a requests Session (the Twilio SDK's)."""
    for adapter in session.adapters.values():
        track(adapter.poolmanager)
    return session


class _NoCookies(DefaultCookiePolicy):
    """A provider API is stateless for us: a kept-alive session must not carry cookies from one
    call (or one account) into the next. Refusing every cookie a response sets keeps the jar
    empty (requests sends a request's cookies from a merged copy of the jar, whose policy is
    its own, so refusing to return them here would change nothing)."""

    def set_ok(self, cookie, request) -> bool:
        return False


class ProviderSession(requests.Session):
    """A requests Session for provider calls: tracked connections, no cookies, and a CA bundle
    (when given) that wins over REQUESTS_CA_BUNDLE from the environment (requests lets the
    environment win over `session.verify`)."""

    def __init__(self, ca_bundle: str | None = None):
        super().__init__()
        self.ca_bundle = ca_bundle
        self.cookies.set_policy(_NoCookies())
        self._environment: dict = {}
        track_session(self)

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        # Reading the proxy variables walks the whole environment on every request (about a
        # millisecond); a kept-alive session reads them once per host.
        key = (urlsplit(url)[:2], repr(proxies), stream, verify, cert)
        if key not in self._environment:
            merged = super().merge_environment_settings(url, proxies, stream, verify, cert)
            if self.ca_bundle:
                merged["verify"] = self.ca_bundle
            self._environment[key] = merged
        return dict(self._environment[key])


def _kept_clients() -> dict:
    if not hasattr(_kept, "clients"):
        _kept.clients = {}
    return _kept.clients


@contextmanager
def pooled(
    key: tuple, create: Callable[[], Client], close: Callable[[Client], object]
) -> Iterator[Client]:
    """This thread's kept-alive client for `key` (created by `create()` on first use): reused
    by the next call on the same thread, closed and forgotten after any exception inside the
    block or when it was left unused for more than IDLE_SECONDS. `key[0]` names the kind of
    client: one is kept per kind, so a key that changed (new credentials, other timeouts)
    closes the client kept for the old one. The client is taken out while in use, so a nested
    call for the same kind gets a client of its own."""
    clients = _kept_clients()
    kind = key[0]
    kept = clients.pop(kind, None)
    if kept is not None and (kept[0] != key or time.monotonic() - kept[2] > IDLE_SECONDS):
        _close_quietly(close, kept[1])
        kept = None
    client = kept[1] if kept is not None else create()
    try:
        yield client
    except BaseException:
        _close_quietly(close, client)
        raise
    previous = clients.pop(kind, None)
    if previous is not None:  # a nested call put one back meanwhile: keep one
        _close_quietly(previous[3], previous[1])
    clients[kind] = (key, client, time.monotonic(), close)


def discard_pooled() -> None:
    """Close and forget this thread's kept-alive clients (between tests; at worker shutdown)."""
    clients = _kept_clients()
    while clients:
        _kind, (_key, client, _, close) = clients.popitem()
        _close_quietly(close, client)


def _close_quietly(close: Callable[[Client], object], client: Client) -> None:
    # Closing a broken connection may fail; it is gone either way.
    with contextlib.suppress(Exception):
        close(client)
