"""A local fake of the Twilio and ClickSend REST APIs, good enough to drive the real SDKs.

In tests use the `fake_provider` fixture (tests/fakes/fixtures.py): it starts a server on
127.0.0.1 and points `settings.TWILIO_API_BASE_URL` / `settings.CLICKSEND_API_BASE_URL` at it.

Routes (anything else answers 404):
    POST /2010-04-01/Accounts/{sid}/Messages.json   Twilio send: 201 MessageInstance JSON
    GET  /2010-04-01/Accounts/{sid}.json            Twilio account: 200, or 401 code 20003
    POST /v3/sms/send                               ClickSend send: 200 envelope, a message each
    GET  /v3/account                                ClickSend account: 200, or 401 UNAUTHORIZED
    GET  /_fake/stats                               JSON counters (see `FakeProviderServer.stats`)
    POST /_fake/reset                               forget requests, counters and scripted responses
    POST /_fake/queue                               script a response from another process:
                                                    {"route": ..., "status": ..., "json": ...,
                                                     "headers": {...}, "delay": 0.0, "times": 1}

Credentials: requests must carry HTTP Basic auth matching `twilio_sid`/`twilio_token` or
`clicksend_username`/`clicksend_api_key` (defaults: the module constants below), else 401 with
each provider's real error body. Change them on the instance to simulate a rotated secret.

Recording: `server.requests` lists every `RecordedRequest` (method, path, query, headers, raw
body, parsed `form` / `json`, Basic `auth` pair, `route`). `server.sends_to("+61411111111")`
counts *accepted* sends per recipient, so tests can assert "sent exactly once";
`server.sends_by_reference()` gives the same count per our message reference (Twilio's
StatusCallback `?message=`, ClickSend's `custom_string`); `server.requests_for("twilio.send")`
filters by route name.

Scripting: responses are queued per route name ("twilio.send", "twilio.account",
"clicksend.send", "clicksend.account") and used first-in first-out before the default answer:
    server.queue("twilio.send", status=500, json={...}, headers={...}, delay=0.0)
    server.queue_twilio_error(21211)             # 400 with Twilio's error JSON (status, message)
    server.queue_twilio_error(20429, status=429, retry_after=7)
    server.queue_clicksend_rejected("INVALID_RECIPIENT")  # HTTP 200, message status rejected
    server.queue_clicksend_error(429, "TOO_MANY_REQUESTS", retry_after=7)  # envelope error
    server.queue_clicksend_loose_types()         # accepted, but "message_price": 0.07 and
                                                 # "schedule": "" (the strict SDK models raise)
    server.queue_unparseable("twilio.send")      # accepted (counted as sent), body is not JSON
    server.queue("clicksend.send", delay=3)      # longer than the client's read timeout
Misbehaving at the byte level (the request is read and, on a send route, counted as accepted
first, as a provider that took the message would):
    server.queue("twilio.send", fault="drop")       # close the socket without a byte of answer
    server.queue("twilio.send", fault="half_body")  # headers and half the body, then close
    server.queue("twilio.send", fault="tls_garbage")  # with tls=True: bytes that are not a TLS
                                                      # record where the answer should be
TLS: `FakeProviderServer(tls=True)` serves https with a certificate of its own test CA (PEM at
`server.ca_bundle`, for SMS_PROVIDER_CA_BUNDLE); a client that does not trust it fails the
handshake before sending anything (the fake then records no request).
`json` may be a callable `(RecordedRequest) -> dict` to echo request fields. A scripted 2xx on a
send route counts as an accepted send. `server.delay` adds a delay to every request (benchmarks).
Connection refused: `closed_port_url()` returns a URL on a port nothing listens on.

Standalone (benchmarks, other processes); prints the base URL as the first line of stdout:
    python -m tests.fakes.provider_server --port 0 --delay 0.05
"""

from __future__ import annotations

import argparse
import base64
import collections
import json
import os
import secrets
import signal
import socket
import ssl
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

TWILIO_SID = "AC" + "0123456789abcdef" * 2
TWILIO_TOKEN = "fake-twilio-auth-token-0123456789"
CLICKSEND_USERNAME = "nextal-test"
CLICKSEND_API_KEY = "FAKE-CLICKSEND-API-KEY-0123456789AB"

ROUTES = ("twilio.send", "twilio.account", "clicksend.send", "clicksend.account")
SEND_ROUTES = ("twilio.send", "clicksend.send")
FAULTS = ("drop", "half_body", "tls_garbage")
# Where the answer should be: plaintext, which a TLS client cannot read as a record.
NOT_A_TLS_RECORD = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"

TWILIO_MESSAGES = {
    20003: "Authenticate",
    20429: "Too Many Requests",
    21211: "The 'To' number {to} is not a valid phone number.",
    21408: "Permission to send an SMS has not been enabled for the region indicated by the "
    "'To' number: {to}.",
    21606: "The From phone number {sender} is not a valid, SMS-capable inbound phone number "
    "or short code for your account.",
    21610: "Attempt to send to unsubscribed recipient",
    21612: "The 'To' phone number: {to}, is not currently reachable using the 'From' phone "
    "number: {sender} via SMS.",
    21614: "'To' number {to} is not a valid mobile number",
}


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    route: str | None
    auth: tuple[str, str] | None = None  # the HTTP Basic (user, password) pair, if any
    form: dict[str, list[str]] = field(default_factory=dict)  # form-encoded bodies
    json: Any = None  # JSON bodies
    response_status: int | None = None

    def field(self, name: str) -> str | None:
        """The first form value for `name` (Twilio's form-encoded requests)."""
        values = self.form.get(name)
        return values[0] if values else None


@dataclass
class ScriptedResponse:
    status: int = 200
    json: dict | list | Callable[[RecordedRequest], Any] | None = None
    body: bytes | None = None  # raw body, used when `json` is None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    fault: str | None = None  # one of FAULTS: misbehave instead of answering


def message_segments(body: str) -> int:
    """How many SMS parts a body needs (GSM-7 approximated as ASCII; otherwise UCS-2)."""
    single, multi = (160, 153) if body.isascii() else (70, 67)
    if len(body) <= single:
        return 1
    return -(-len(body) // multi)


def twilio_error_body(code: int, status: int, message: str) -> dict:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def clicksend_message(
    request_message: dict, *, status: str = "SUCCESS", loose_types: bool = False
) -> dict:
    """One entry of ClickSend's `data.messages`. `loose_types` reproduces the documented drift
    (price as a number, empty schedule, date as a string) that the 6.x SDK models reject."""
    body = str(request_message.get("body", ""))
    parts = message_segments(body)
    now = int(time.time())
    return {
        "direction": "out",
        "date": str(now) if loose_types else now,
        "to": request_message.get("to"),
        "body": body,
        "from": request_message.get("from") or "",
        "schedule": "" if loose_types else None,
        "message_id": str(uuid.uuid4()).upper(),
        "message_parts": parts,
        "message_price": 0.07 * parts if loose_types else f"{0.07 * parts:.4f}",
        "from_email": None,
        "list_id": None,
        "custom_string": request_message.get("custom_string", ""),
        "contact_id": None,
        "user_id": 304497,
        "subaccount_id": 745158,
        "is_shared_system_number": False,
        "country": "AU",
        "carrier": "Telstra",
        "status": status,
    }


def clicksend_send_body(
    recorded: RecordedRequest, *, status: str = "SUCCESS", loose_types: bool = False
) -> dict:
    messages = (recorded.json or {}).get("messages") or []
    entries = [clicksend_message(m, status=status, loose_types=loose_types) for m in messages]
    accepted = [e for e in entries if e["status"] == "SUCCESS"]
    total_price = round(sum(float(e["message_price"]) for e in accepted), 4)
    return {
        "http_code": 200,
        "response_code": "SUCCESS",
        "response_msg": "Messages queued for delivery.",
        "data": {
            "total_price": total_price,
            "total_count": len(entries),
            "queued_count": len(accepted),
            "messages": entries,
            "_currency": {
                "currency_name_short": "AUD",
                "currency_prefix_d": "$",
                "currency_prefix_c": "c",
                "currency_name_long": "Australian Dollars",
            },
            "blocked_count": len(entries) - len(accepted),
        },
    }


def clicksend_unauthorized_body() -> dict:
    return {
        "http_code": 401,
        "response_code": "UNAUTHORIZED",
        "response_msg": "Authorization failed.",
        "data": None,
    }


def closed_port_url() -> str:
    """A base URL on 127.0.0.1 where nothing listens: connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a handler sleeping through a scripted delay must not block stop()
    fake: FakeProviderServer

    def handle_error(self, request, client_address):
        # A client that refused our certificate or went away mid-request is what the fault
        # tests do on purpose; anything else is a bug in the fake and is printed.
        if not isinstance(sys.exc_info()[1], ssl.SSLError | ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def setup(self):
        # TLS: handshake in the handler's own thread, so a client that gives up on our
        # certificate does not hold up the server's accept loop.
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()
        super().setup()

    def do_GET(self):
        self.server.fake._handle(self)

    def do_POST(self):
        self.server.fake._handle(self)

    def log_message(self, format, *args):
        pass  # quiet: tests assert on recorded requests, not on stderr


class FakeProviderServer:
    """See the module docstring. Use as a context manager or call start()/stop()."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        delay: float = 0.0,
        twilio_sid: str = TWILIO_SID,
        twilio_token: str = TWILIO_TOKEN,
        clicksend_username: str = CLICKSEND_USERNAME,
        clicksend_api_key: str = CLICKSEND_API_KEY,
        tls: bool = False,
    ):
        self.delay = delay
        self.twilio_sid = twilio_sid
        self.twilio_token = twilio_token
        self.clicksend_username = clicksend_username
        self.clicksend_api_key = clicksend_api_key
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _Server((host, port), _Handler)
        self._httpd.fake = self
        self.ca_bundle: str | None = None
        if tls:
            self._serve_tls(host)
        self._thread: threading.Thread | None = None
        self.reset()

    # --- lifecycle ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        scheme = "https" if self.ca_bundle else "http"
        return f"{scheme}://{host}:{port}"

    def _serve_tls(self, host: str) -> None:
        self._tls_dir = tempfile.TemporaryDirectory(prefix="fake-provider-tls-")
        self.ca_bundle, certfile, keyfile = _test_certificates(self._tls_dir.name, host)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certfile, keyfile)
        self._httpd.socket = context.wrap_socket(
            self._httpd.socket, server_side=True, do_handshake_on_connect=False
        )

    def start(self) -> FakeProviderServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() waits up to one poll interval
            name="fake-provider-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping through a scripted delay
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)
            if self._thread.is_alive():
                raise RuntimeError("the fake provider server did not stop within 5 s")

    def __enter__(self) -> FakeProviderServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- scripting ------------------------------------------------------------------------------

    def reset(self) -> None:
        with self._lock:
            self.requests: list[RecordedRequest] = []
            self._scripted: dict[str, collections.deque[ScriptedResponse]] = {
                route: collections.deque() for route in ROUTES
            }
            self._accepted_sends: collections.Counter[str] = collections.Counter()
            self._sends_by_recipient: collections.Counter[str] = collections.Counter()
            self._sends_by_reference: collections.Counter[str] = collections.Counter()

    def queue(
        self,
        route: str,
        *,
        status: int = 200,
        json: Any = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        times: int = 1,
        fault: str | None = None,
    ) -> None:
        """Answer the next `times` requests on `route` with this response (or `fault`)."""
        if route not in ROUTES:
            raise ValueError(f"unknown route {route!r}; one of {ROUTES}")
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; one of {FAULTS}")
        if fault == "tls_garbage" and not self.ca_bundle:
            raise ValueError("the tls_garbage fault needs FakeProviderServer(tls=True)")
        if json is None and body is None and route == "clicksend.send" and 200 <= status < 300:
            json = clicksend_send_body
        if json is None and body is None and route == "twilio.send" and 200 <= status < 300:
            json = self._twilio_message
        response = ScriptedResponse(
            status=status,
            json=json,
            body=body,
            headers=dict(headers or {}),
            delay=delay,
            fault=fault,
        )
        with self._lock:
            self._scripted[route].extend([response] * times)

    def queue_twilio_error(
        self,
        code: int,
        *,
        status: int = 400,
        message: str | None = None,
        retry_after: float | None = None,
        route: str = "twilio.send",
    ) -> None:
        def error_body(recorded: RecordedRequest) -> dict:
            template = message or TWILIO_MESSAGES.get(code, "Error")
            text = template.format(to=recorded.field("To"), sender=recorded.field("From"))
            return twilio_error_body(code, status, text)

        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self.queue(route, status=status, json=error_body, headers=headers)

    def queue_clicksend_rejected(self, message_status: str) -> None:
        """HTTP 200 SUCCESS envelope whose message has `status` = message_status."""
        self.queue(
            "clicksend.send",
            json=lambda recorded: clicksend_send_body(recorded, status=message_status),
        )

    def queue_clicksend_error(
        self,
        status: int,
        response_code: str,
        *,
        message: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """An envelope error as ClickSend answers it (`data` null), e.g. 429 TOO_MANY_REQUESTS."""
        body = {
            "http_code": status,
            "response_code": response_code,
            "response_msg": message or response_code.replace("_", " ").capitalize() + ".",
            "data": None,
        }
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self.queue("clicksend.send", status=status, json=body, headers=headers)

    def queue_clicksend_loose_types(self) -> None:
        """Accepted, with the documented type drift the strict SDK models reject."""
        self.queue(
            "clicksend.send",
            json=lambda recorded: clicksend_send_body(recorded, loose_types=True),
        )

    def queue_unparseable(self, route: str, *, status: int | None = None) -> None:
        """Accept (and count) the request, then answer with a body no client can parse."""
        default_status = 201 if route == "twilio.send" else 200
        self.queue(
            route,
            status=status or default_status,
            body=b"<html><body>Upstream proxy error</body></html>",
            headers={"Content-Type": "text/html"},
        )

    # --- inspection -----------------------------------------------------------------------------

    def requests_for(self, route: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.route == route]

    def sends_to(self, recipient: str) -> int:
        """How many sends to this number were accepted (2xx, message status SUCCESS)."""
        with self._lock:
            return self._sends_by_recipient[recipient]

    def sends_by_reference(self) -> dict[str, int]:
        """{our message reference: accepted sends}, for "never sent twice" across a batch."""
        with self._lock:
            return dict(self._sends_by_reference)

    def stats(self) -> dict:
        with self._lock:
            return {
                "total_requests": len(self.requests),
                "requests_per_route": dict(
                    collections.Counter(r.route or "unknown" for r in self.requests)
                ),
                "sends_per_route": dict(self._accepted_sends),
                "accepted_sends": sum(self._accepted_sends.values()),
                "distinct_recipients": len(self._sends_by_recipient),
                "duplicate_recipients": sum(
                    1 for count in self._sends_by_recipient.values() if count > 1
                ),
                "duplicate_references": sum(
                    1 for count in self._sends_by_reference.values() if count > 1
                ),
            }

    # --- request handling -----------------------------------------------------------------------

    def _handle(self, handler: _Handler) -> None:
        recorded = self._record(handler)
        if recorded.route == "fake.stats":
            return self._respond(handler, 200, self.stats())
        if recorded.route == "fake.reset":
            self.reset()
            return self._respond(handler, 200, {"reset": True})
        if recorded.route == "fake.queue":
            return self._queue_from_request(handler, recorded)

        with self._lock:
            self.requests.append(recorded)
            scripted_queue = self._scripted.get(recorded.route or "")
            scripted = scripted_queue.popleft() if scripted_queue else None

        if scripted is not None:
            status, payload, raw, headers = self._scripted_answer(scripted, recorded)
        else:
            status, payload, raw, headers = self._default_answer(recorded)
        recorded.response_status = status
        # Accepted (and billed) before the slow answer, as a provider that times out does.
        if recorded.route in SEND_ROUTES and 200 <= status < 300:
            self._count_accepted_send(recorded, payload)

        delay = self.delay + (scripted.delay if scripted else 0.0)
        if delay and self._stopping.wait(delay):
            return  # shutting down: drop the request
        if scripted is not None and scripted.fault:
            return self._misbehave(handler, scripted.fault, status, payload, raw, headers)
        self._respond(handler, status, payload, raw=raw, headers=headers)

    @staticmethod
    def _misbehave(handler, fault, status, payload, raw, headers) -> None:
        """Break the answer at the byte level, then close the connection."""
        handler.close_connection = True
        try:
            if fault == "half_body":
                raw = raw if raw is not None else json.dumps(payload).encode()
                handler.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    handler.send_header(name, value)
                handler.send_header("Content-Length", str(len(raw)))
                handler.end_headers()
                handler.wfile.write(raw[: len(raw) // 2])
                handler.wfile.flush()
            elif fault == "tls_garbage":
                # Written under the TLS layer, straight to the socket.
                os.write(handler.connection.fileno(), NOT_A_TLS_RECORD)
            handler.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # the client already gave up

    def _record(self, handler: _Handler) -> RecordedRequest:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        headers = dict(handler.headers.items())
        recorded = RecordedRequest(
            method=handler.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=headers,
            body=body,
            route=self._route(handler.command, parts.path),
            auth=_basic_auth(headers.get("Authorization", "")),
        )
        content_type = headers.get("Content-Type", "")
        if "application/x-www-form-urlencoded" in content_type:
            recorded.form = parse_qs(body.decode(), keep_blank_values=True)
        elif "json" in content_type and body:
            try:
                recorded.json = json.loads(body)
            except ValueError:
                recorded.json = None
        return recorded

    @staticmethod
    def _route(method: str, path: str) -> str | None:
        segments = path.strip("/").split("/")
        if path.startswith("/2010-04-01/Accounts/"):
            if method == "POST" and len(segments) == 4 and segments[3] == "Messages.json":
                return "twilio.send"
            if method == "GET" and len(segments) == 3 and segments[2].endswith(".json"):
                return "twilio.account"
        routes = {
            ("POST", "/v3/sms/send"): "clicksend.send",
            ("GET", "/v3/account"): "clicksend.account",
            ("GET", "/_fake/stats"): "fake.stats",
            ("POST", "/_fake/reset"): "fake.reset",
            ("POST", "/_fake/queue"): "fake.queue",
        }
        return routes.get((method, path.rstrip("/")))

    def _scripted_answer(self, scripted: ScriptedResponse, recorded: RecordedRequest):
        payload = scripted.json(recorded) if callable(scripted.json) else scripted.json
        return scripted.status, payload, scripted.body, scripted.headers

    def _default_answer(self, recorded: RecordedRequest):
        route = recorded.route
        if route is None:
            return 404, {"message": "Not found (fake provider server)"}, None, {}
        if route.startswith("twilio."):
            sid = recorded.path.strip("/").split("/")[2].removesuffix(".json")
            if recorded.auth != (self.twilio_sid, self.twilio_token) or sid != self.twilio_sid:
                return 401, twilio_error_body(20003, 401, "Authenticate"), None, {}
            if route == "twilio.account":
                return 200, self._twilio_account(), None, {}
            return 201, self._twilio_message(recorded), None, {}
        if recorded.auth != (self.clicksend_username, self.clicksend_api_key):
            return 401, clicksend_unauthorized_body(), None, {}
        if route == "clicksend.account":
            return 200, self._clicksend_account(), None, {}
        return 200, clicksend_send_body(recorded), None, {}

    def _twilio_message(self, recorded: RecordedRequest) -> dict:
        sid = "SM" + secrets.token_hex(16)
        body = recorded.field("Body") or ""
        now = format_datetime(datetime.now(UTC).replace(microsecond=0))
        account = self.twilio_sid
        return {
            "account_sid": account,
            "api_version": "2010-04-01",
            "body": body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": recorded.field("From"),
            "messaging_service_sid": recorded.field("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": str(message_segments(body)),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued",
            "subresource_uris": {
                "media": f"/2010-04-01/Accounts/{account}/Messages/{sid}/Media.json"
            },
            "to": recorded.field("To"),
            "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
        }

    def _twilio_account(self) -> dict:
        sid = self.twilio_sid
        date = format_datetime(datetime(2024, 1, 15, 9, 30, tzinfo=UTC))
        return {
            "auth_token": self.twilio_token,  # the real API returns it too
            "date_created": date,
            "date_updated": date,
            "friendly_name": "Nextal test account",
            "owner_account_sid": sid,
            "sid": sid,
            "status": "active",
            "subresource_uris": {"messages": f"/2010-04-01/Accounts/{sid}/Messages.json"},
            "type": "Full",
            "uri": f"/2010-04-01/Accounts/{sid}.json",
        }

    def _clicksend_account(self) -> dict:
        return {
            "http_code": 200,
            "response_code": "SUCCESS",
            "response_msg": "Here's your account",
            "data": {
                "user_id": 304497,
                "username": self.clicksend_username,
                "user_email": "ops@nextal.example.com",
                "balance": "12.3400",
                "country": "AU",
                "active": 1,
                "_currency": {"currency_name_short": "AUD", "currency_prefix_d": "$"},
            },
        }

    def _count_accepted_send(self, recorded: RecordedRequest, payload: Any) -> None:
        sends: list[tuple[str, str]] = []  # (recipient, reference)
        if recorded.route == "twilio.send":
            callback = recorded.field("StatusCallback") or ""
            reference = dict(parse_qsl(urlsplit(callback).query)).get("message", "")
            sends.append((recorded.field("To") or "", reference))
        else:
            data = payload.get("data") if isinstance(payload, dict) else None
            entries = (data or {}).get("messages") or []
            sends.extend(
                (str(entry.get("to")), str(entry.get("custom_string") or ""))
                for entry in entries
                if isinstance(entry, dict) and entry.get("status") == "SUCCESS"
            )
            if not isinstance(payload, dict):  # unparseable answer: the request was accepted
                sends.extend(
                    (str(m.get("to")), str(m.get("custom_string") or ""))
                    for m in (recorded.json or {}).get("messages", [])
                )
        with self._lock:
            for recipient, reference in sends:
                self._accepted_sends[recorded.route] += 1
                self._sends_by_recipient[recipient] += 1
                if reference:
                    self._sends_by_reference[reference] += 1

    def _queue_from_request(self, handler: _Handler, recorded: RecordedRequest) -> None:
        spec = recorded.json if isinstance(recorded.json, dict) else {}
        try:
            self.queue(
                spec["route"],
                status=int(spec.get("status", 200)),
                json=spec.get("json"),
                headers=spec.get("headers"),
                delay=float(spec.get("delay", 0.0)),
                times=int(spec.get("times", 1)),
                fault=spec.get("fault"),
            )
        except (KeyError, ValueError, TypeError) as exc:
            return self._respond(handler, 400, {"error": str(exc)})
        self._respond(handler, 200, {"queued": True})

    @staticmethod
    def _respond(handler, status, payload, *, raw=None, headers=None) -> None:
        headers = dict(headers or {})
        if raw is None:
            raw = b"" if payload is None else json.dumps(payload).encode()
            headers.setdefault("Content-Type", "application/json")
        try:
            handler.send_response(status)
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(raw)))
            handler.end_headers()
            handler.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (read timeout): that is the point of the delay


def _test_certificates(folder: str, host: str) -> tuple[str, str, str]:
    """A throwaway CA and a server certificate it signed for `host` (and localhost):
    (CA bundle path, certificate path, key path)."""
    import ipaddress
    from datetime import timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.now(UTC)

    def certificate(subject, issuer, public_key, signing_key, *, ca: bool, names=()):
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if names:
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        return builder.sign(signing_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = certificate("Fake provider test CA", "Fake provider test CA", ca_key.public_key(),
                     ca_key, ca=True)  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(host))]
    server = certificate(host, "Fake provider test CA", key.public_key(), ca_key, ca=False,
                         names=names)  # fmt: skip
    paths = [os.path.join(folder, name) for name in ("ca.pem", "server.pem", "server.key")]
    for path, data in zip(
        paths,
        [
            ca.public_bytes(serialization.Encoding.PEM),
            server.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        ],
        strict=True,
    ):
        with open(path, "wb") as file:
            file.write(data)
    return paths[0], paths[1], paths[2]


def _basic_auth(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(encoded).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return user, password


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds added to every request")
    args = parser.parse_args(argv)
    server = FakeProviderServer(host=args.host, port=args.port, delay=args.delay).start()
    print(server.url, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.stop()
    print(json.dumps(server.stats()), file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
