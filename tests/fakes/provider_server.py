"""A local fake of the Twilio and ClickSend REST APIs, good enough to drive the real SDKs.

In tests use the `fake_provider` fixture (tests/fakes/fixtures.py): it starts a server on
127.0.0.1 and points `settings.TWILIO_API_BASE_URL` / `settings.CLICKSEND_API_BASE_URL` at it.

Routes (anything else answers 404):
    POST /2010-04-01/Accounts/{sid}/Messages.json   Twilio send: 201 MessageInstance JSON
    GET  /2010-04-01/Accounts/{sid}.json            Twilio account: 200, or 401 code 20003
    GET  /2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json[?PhoneNumber=]   twilio.numbers
    POST /2010-04-01/Accounts/{sid}/IncomingPhoneNumbers/{PN}.json  twilio.number_update (SmsUrl…)
    GET  /v1/Services                               twilio.services (Messaging Services, paged)
    GET  /v1/Services/{MG}   POST /v1/Services/{MG} twilio.service / twilio.service_update
    GET  /v1/Services/{MG}/PhoneNumbers[/{PN}]      twilio.pool / twilio.pool_number (404 if not)
    POST /v3/sms/send                               ClickSend send: 200 envelope, a message each
    POST /v3/mms/send                               clicksend.mms_send: the same, for an MMS
                                                    (`media_file` names the file's URL)
    GET  /v3/account                                ClickSend account: 200, or 401 UNAUTHORIZED
    GET/POST /v3/automations/sms/inbound, PUT …/{id}    clicksend.inbound_rules / _create / _update
    GET/POST /v3/automations/sms/receipts, PUT …/{id}   clicksend.receipt_rules / _create / _update
    GET  /v3/numbers                                clicksend.numbers (dedicated numbers, paged)
    GET  /2010-04-01/Accounts/{sid}/Messages/{MM}/Media/{ME}   twilio.media: Basic auth required;
                                                    302 to the CDN (`cdn_url`), 404 if unknown
    GET  {cdn_url}/_cdn/{ME}                        cdn.media: the file, no auth needed (a
                                                    second server on another port: "another host")
    GET  /_fake/stats                               JSON counters (see `FakeProviderServer.stats`)
    POST /_fake/reset                               forget requests, counters and scripted responses
    POST /_fake/queue                               script a response from another process:
                                                    {"route": ..., "status": ..., "json": ...,
                                                     "headers": {...}, "delay": 0.0, "times": 1}

Credentials: requests must carry HTTP Basic auth matching `twilio_sid`/`twilio_token` or
`clicksend_username`/`clicksend_api_key` (defaults: the module constants below), else 401 with
each provider's real error body. Change them on the instance to simulate a rotated secret.

Recording: `server.requests` lists every `RecordedRequest` (method, path, query, headers, raw
body, parsed `form` / `json`, Basic `auth` pair, `route`, and the client's `connection`
address: the same pair twice means a kept-alive connection was reused).
`server.sends_to("+61411111111")` counts *accepted* sends per recipient, so tests can assert
"sent exactly once";
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

Media (inbound MMS): `url = server.add_media(b"...", "image/jpeg")` gives a Twilio Media URL of
the account on the API host; its file is served by the CDN server after a redirect. Every
request records `host` ("api" or "cdn") and its Basic `auth`, so tests can assert credentials
went only to the API host. `server.queue("twilio.media", status=404)` answers 404 first.

Account configuration (the state the configuration routes read and change; tests set it up):
    pn = server.add_twilio_number("+15005550006", sms_url="https://elsewhere.example/sms")
    mg = server.add_twilio_service("Recruiting", numbers=[pn], inbound_request_url=None)
    server.twilio_numbers[pn]["sms_url"]          # what an update set
    server.twilio_services[mg]["inbound_request_url"]
    server.add_clicksend_number("+61411111112")
    server.add_clicksend_rule("inbound", {"dedicated_number": "*", "action": "URL", ...})
    server.clicksend_rules["inbound"] / ["receipts"]   # {rule id: rule}

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

ROUTES = (
    "twilio.send",
    "twilio.account",
    "twilio.numbers",
    "twilio.number_update",
    "twilio.services",
    "twilio.service",
    "twilio.service_update",
    "twilio.pool",
    "twilio.pool_number",
    "clicksend.send",
    "clicksend.account",
    "clicksend.inbound_rules",
    "clicksend.inbound_rule_create",
    "clicksend.inbound_rule_update",
    "clicksend.receipt_rules",
    "clicksend.receipt_rule_create",
    "clicksend.receipt_rule_update",
    "clicksend.numbers",
    "twilio.media",
    "cdn.media",
    "clicksend.mms_send",
)
SEND_ROUTES = ("twilio.send", "clicksend.send", "clicksend.mms_send")
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
    host: str = "api"  # which server received it: "api" or "cdn" (media after a redirect)
    # The client's end of the TCP connection (host, port): two requests with the same pair came
    # over one kept-alive connection.
    connection: tuple[str, int] | None = None

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
    role = "api"
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
    # Headers and body go out in two writes: with Nagle's algorithm the body waited for the
    # client's delayed ACK of the headers, 40 ms on every answer (a real provider has no such
    # stall; the benchmark's "50 ms" provider took 90).
    disable_nagle_algorithm = True

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

    def do_PUT(self):
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
        # Media files are served from a second server: another host, as Twilio's CDN is.
        self._cdn = _Server((host, 0), _Handler)
        self._cdn.fake = self
        self._cdn.role = "cdn"
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

    @property
    def cdn_url(self) -> str:
        host, port = self._cdn.server_address[:2]
        return f"http://{host}:{port}"

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
        self._cdn_thread = threading.Thread(
            target=self._cdn.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-provider-cdn",
            daemon=True,
        )
        self._cdn_thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping through a scripted delay
        self._httpd.shutdown()
        self._httpd.server_close()
        self._cdn.shutdown()
        self._cdn.server_close()
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
            # Account configuration: Twilio numbers and Messaging Services, ClickSend numbers
            # and automation rules (see the module docstring).
            self.twilio_numbers: dict[str, dict] = {}
            self.twilio_services: dict[str, dict] = {}
            self.clicksend_numbers: list[dict] = []
            self.clicksend_rules: dict[str, dict[int, dict]] = {"inbound": {}, "receipts": {}}
            self.media: dict[str, tuple[bytes, str]] = {}  # ME sid -> (content, content type)
            self._next_rule_id = 1

    def reset_requests(self) -> None:
        """Forget the recorded requests only (account configuration and scripts stay)."""
        with self._lock:
            self.requests = []

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

    # --- account configuration ------------------------------------------------------------------

    def add_twilio_number(
        self, phone_number: str, *, sms_url: str = "", sms_method: str = "POST", **fields
    ) -> str:
        """An IncomingPhoneNumber on the account; returns its PN sid."""
        sid = "PN" + secrets.token_hex(16)
        with self._lock:
            self.twilio_numbers[sid] = {
                "sid": sid,
                "phone_number": phone_number,
                "friendly_name": phone_number,
                "sms_url": sms_url or None,
                "sms_method": sms_method,
                "sms_fallback_url": None,
                "sms_fallback_method": "POST",
                "sms_application_sid": None,
                "capabilities": {"voice": True, "sms": True, "mms": True, "fax": False},
                **fields,
            }
        return sid

    def add_twilio_service(
        self,
        friendly_name: str,
        *,
        numbers: list[str] = (),
        inbound_request_url: str | None = None,
        use_inbound_webhook_on_number: bool = True,
        sid: str | None = None,
    ) -> str:
        """A Messaging Service whose sender pool holds `numbers` (PN sids); returns its MG sid."""
        sid = sid or "MG" + secrets.token_hex(16)
        with self._lock:
            self.twilio_services[sid] = {
                "sid": sid,
                "friendly_name": friendly_name,
                "inbound_request_url": inbound_request_url,
                "inbound_method": "POST",
                "use_inbound_webhook_on_number": use_inbound_webhook_on_number,
                "pool": list(numbers),
            }
        return sid

    def add_clicksend_number(self, dedicated_number: str, **fields) -> None:
        with self._lock:
            self.clicksend_numbers.append(
                {
                    "dedicated_number": dedicated_number,
                    "country": "AU",
                    "number_type": "longcode",
                    "type": "sms",
                    **fields,
                }
            )

    def add_clicksend_rule(self, kind: str, rule: dict) -> int:
        """An automation rule ("inbound" or "receipts"); returns its id."""
        with self._lock:
            rule_id = self._next_rule_id
            self._next_rule_id += 1
            key = "inbound_rule_id" if kind == "inbound" else "receipt_rule_id"
            self.clicksend_rules[kind][rule_id] = {key: rule_id, **rule}
        return rule_id

    # --- inspection -----------------------------------------------------------------------------

    def add_media(self, content: bytes, content_type: str, *, message_sid: str = "") -> str:
        """A file Twilio holds for an inbound MMS: returns its Media URL on the API host."""
        media_sid = "ME" + uuid.uuid4().hex
        message_sid = message_sid or "MM" + uuid.uuid4().hex
        with self._lock:
            self.media[media_sid] = (content, content_type)
        account = f"{self.url}/2010-04-01/Accounts/{self.twilio_sid}"
        return f"{account}/Messages/{message_sid}/Media/{media_sid}"

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
        role = handler.server.role
        if role == "cdn":
            route = "cdn.media" if parts.path.startswith("/_cdn/") else None
        else:
            route = self._route(handler.command, parts.path)
        recorded = RecordedRequest(
            method=handler.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=headers,
            body=body,
            route=route,
            auth=_basic_auth(headers.get("Authorization", "")),
            host=role,
            connection=tuple(handler.client_address[:2]),
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
            if len(segments) == 4 and segments[3] == "IncomingPhoneNumbers.json":
                return "twilio.numbers" if method == "GET" else None
            if len(segments) == 5 and segments[3] == "IncomingPhoneNumbers" and method == "POST":
                return "twilio.number_update"
            if method == "GET" and len(segments) == 7 and segments[3::2] == ["Messages", "Media"]:
                return "twilio.media"
        if segments[:2] == ["v1", "Services"]:
            pool = segments[3:4] == ["PhoneNumbers"]
            return {
                ("GET", 2, False): "twilio.services",
                ("GET", 3, False): "twilio.service",
                ("POST", 3, False): "twilio.service_update",
                ("GET", 4, True): "twilio.pool",
                ("GET", 5, True): "twilio.pool_number",
            }.get((method, len(segments), pool))
        for kind, base in (("inbound", "inbound"), ("receipt", "receipts")):
            prefix = f"/v3/automations/sms/{base}"
            if path.rstrip("/") == prefix:
                return {
                    "GET": f"clicksend.{kind}_rules",
                    "POST": f"clicksend.{kind}_rule_create",
                }.get(method)
            if path.startswith(prefix + "/") and method == "PUT":
                return f"clicksend.{kind}_rule_update"
        routes = {
            ("POST", "/v3/sms/send"): "clicksend.send",
            ("POST", "/v3/mms/send"): "clicksend.mms_send",
            ("GET", "/v3/account"): "clicksend.account",
            ("GET", "/v3/numbers"): "clicksend.numbers",
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
        if route == "cdn.media":
            with self._lock:
                found = self.media.get(recorded.path.rsplit("/", 1)[-1])
            if found is None:
                return 404, {"message": "Not found (fake CDN)"}, None, {}
            return 200, None, found[0], {"Content-Type": found[1]}
        if route.startswith("twilio."):
            segments = recorded.path.strip("/").split("/")
            # Messaging Services (/v1/…) carry no account in the path: Basic auth names it.
            sid = self.twilio_sid if segments[0] == "v1" else segments[2].removesuffix(".json")
            if recorded.auth != (self.twilio_sid, self.twilio_token) or sid != self.twilio_sid:
                return 401, twilio_error_body(20003, 401, "Authenticate"), None, {}
            if route == "twilio.account":
                return 200, self._twilio_account(), None, {}
            if route == "twilio.send":
                return 201, self._twilio_message(recorded), None, {}
            if route == "twilio.media":
                media_sid = segments[-1]
                with self._lock:
                    known = media_sid in self.media
                if not known:
                    return 404, twilio_error_body(20404, 404, "Not found"), None, {}
                return 302, None, b"", {"Location": f"{self.cdn_url}/_cdn/{media_sid}"}
            return self._twilio_configuration(route, recorded, segments)
        if recorded.auth != (self.clicksend_username, self.clicksend_api_key):
            return 401, clicksend_unauthorized_body(), None, {}
        if route == "clicksend.account":
            return 200, self._clicksend_account(), None, {}
        if route in ("clicksend.send", "clicksend.mms_send"):
            return 200, clicksend_send_body(recorded), None, {}
        return self._clicksend_configuration(route, recorded)

    # --- account configuration answers ------------------------------------------------------------

    def _twilio_number_json(self, number: dict) -> dict:
        account, sid = self.twilio_sid, number["sid"]
        date = format_datetime(datetime(2024, 1, 15, 9, 30, tzinfo=UTC))
        return {
            "account_sid": account,
            "api_version": "2010-04-01",
            "date_created": date,
            "date_updated": date,
            "origin": "twilio",
            "status": "in-use",
            "uri": f"/2010-04-01/Accounts/{account}/IncomingPhoneNumbers/{sid}.json",
            **number,
        }

    def _twilio_service_json(self, service: dict) -> dict:
        sid = service["sid"]
        fields = {key: value for key, value in service.items() if key != "pool"}
        return {
            "account_sid": self.twilio_sid,
            "date_created": "2024-01-15T09:30:00Z",
            "date_updated": "2024-01-15T09:30:00Z",
            "fallback_url": None,
            "fallback_method": "POST",
            "status_callback": None,
            "sticky_sender": True,
            "usecase": "notifications",
            "url": f"https://messaging.twilio.com/v1/Services/{sid}",
            "links": {
                "phone_numbers": f"https://messaging.twilio.com/v1/Services/{sid}/PhoneNumbers"
            },
            **fields,
        }

    def _twilio_pool_json(self, service_sid: str, number_sid: str) -> dict:
        number = self.twilio_numbers.get(number_sid) or {}
        return {
            "sid": number_sid,
            "account_sid": self.twilio_sid,
            "service_sid": service_sid,
            "date_created": "2024-01-15T09:30:00Z",
            "date_updated": "2024-01-15T09:30:00Z",
            "phone_number": number.get("phone_number"),
            "country_code": "US",
            "capabilities": ["SMS", "MMS"],
            "url": f"https://messaging.twilio.com/v1/Services/{service_sid}/PhoneNumbers/{number_sid}",
        }

    @staticmethod
    def _twilio_not_found() -> tuple:
        return 404, twilio_error_body(20404, 404, "The requested resource was not found"), None, {}

    @staticmethod
    def _v1_page(key: str, items: list, url: str, page_size: int) -> dict:
        return {
            key: items[:page_size],
            "meta": {
                "page": 0,
                "page_size": page_size,
                "first_page_url": url,
                "previous_page_url": None,
                "url": url,
                "next_page_url": None,
                "key": key,
            },
        }

    def _twilio_configuration(self, route: str, recorded: RecordedRequest, segments: list[str]):
        page_size = int((recorded.query.get("PageSize") or ["50"])[0])
        with self._lock:
            if route == "twilio.numbers":
                wanted = (recorded.query.get("PhoneNumber") or [None])[0]
                numbers = [
                    self._twilio_number_json(n)
                    for n in self.twilio_numbers.values()
                    if wanted is None or n["phone_number"] == wanted
                ][:page_size]
                uri = recorded.path
                return (
                    200,
                    {
                        "incoming_phone_numbers": numbers,
                        "end": max(len(numbers) - 1, 0),
                        "first_page_uri": uri,
                        "next_page_uri": None,
                        "page": 0,
                        "page_size": page_size,
                        "previous_page_uri": None,
                        "start": 0,
                        "uri": uri,
                    },
                    None,
                    {},
                )
            if route == "twilio.number_update":
                number = self.twilio_numbers.get(segments[4].removesuffix(".json"))
                if number is None:
                    return self._twilio_not_found()
                for form_name, name in (
                    ("SmsUrl", "sms_url"),
                    ("SmsMethod", "sms_method"),
                    ("SmsFallbackUrl", "sms_fallback_url"),
                    ("SmsApplicationSid", "sms_application_sid"),
                ):
                    if form_name in recorded.form:
                        number[name] = recorded.field(form_name) or None
                return 200, self._twilio_number_json(number), None, {}
            if route == "twilio.services":
                services = [self._twilio_service_json(s) for s in self.twilio_services.values()]
                url = "https://messaging.twilio.com/v1/Services"
                return 200, self._v1_page("services", services, url, page_size), None, {}
            service = self.twilio_services.get(segments[2])
            if service is None:
                return self._twilio_not_found()
            if route == "twilio.service":
                return 200, self._twilio_service_json(service), None, {}
            if route == "twilio.service_update":
                for form_name, name in (
                    ("InboundRequestUrl", "inbound_request_url"),
                    ("InboundMethod", "inbound_method"),
                    ("FriendlyName", "friendly_name"),
                ):
                    if form_name in recorded.form:
                        service[name] = recorded.field(form_name)
                if "UseInboundWebhookOnNumber" in recorded.form:
                    value = recorded.field("UseInboundWebhookOnNumber")
                    service["use_inbound_webhook_on_number"] = value == "true"
                return 200, self._twilio_service_json(service), None, {}
            if route == "twilio.pool":
                pool = [self._twilio_pool_json(service["sid"], pn) for pn in service["pool"]]
                url = f"https://messaging.twilio.com/v1/Services/{service['sid']}/PhoneNumbers"
                return 200, self._v1_page("phone_numbers", pool, url, page_size), None, {}
            if segments[4] not in service["pool"]:
                return self._twilio_not_found()
            return 200, self._twilio_pool_json(service["sid"], segments[4]), None, {}

    @staticmethod
    def _clicksend_page(items: list, recorded: RecordedRequest, message: str) -> dict:
        page = int((recorded.query.get("page") or ["1"])[0])
        limit = int((recorded.query.get("limit") or ["15"])[0])
        last_page = max(1, -(-len(items) // limit))
        return {
            "http_code": 200,
            "response_code": "SUCCESS",
            "response_msg": message,
            "data": {
                "total": len(items),
                "per_page": limit,
                "current_page": page,
                "last_page": last_page,
                "data": items[(page - 1) * limit : page * limit],
            },
        }

    def _clicksend_configuration(self, route: str, recorded: RecordedRequest):
        ok = {"http_code": 200, "response_code": "SUCCESS"}
        with self._lock:
            if route == "clicksend.numbers":
                numbers = list(self.clicksend_numbers)
                return 200, self._clicksend_page(numbers, recorded, "Your numbers."), None, {}
            kind = "inbound" if ".inbound_" in route else "receipts"
            rules = self.clicksend_rules[kind]
            if route.endswith("_rules"):
                listed = list(rules.values())
                return 200, self._clicksend_page(listed, recorded, "Your rules."), None, {}
            body = recorded.json if isinstance(recorded.json, dict) else {}
            if route.endswith("_create"):
                rule_id = self._next_rule_id
                self._next_rule_id += 1
                key = "inbound_rule_id" if kind == "inbound" else "receipt_rule_id"
                rules[rule_id] = {key: rule_id, **body}
                return (
                    200,
                    {**ok, "response_msg": "Rule created.", "data": rules[rule_id]},
                    None,
                    {},
                )
            try:
                rule_id = int(recorded.path.rstrip("/").split("/")[-1])
            except ValueError:
                rule_id = -1
            if rule_id not in rules:
                return (
                    404,
                    {
                        "http_code": 404,
                        "response_code": "NOT_FOUND",
                        "response_msg": "Rule not found.",
                        "data": None,
                    },
                    None,
                    {},
                )
            rules[rule_id].update(body)
            return 200, {**ok, "response_msg": "Rule updated.", "data": rules[rule_id]}, None, {}

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
            "from": recorded.field("From"),  # null for a service send until the pool picks
            "messaging_service_sid": recorded.field("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": str(message_segments(body)),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            # Messaging Service sends start as "accepted" (the pool picks the sender later).
            "status": "accepted" if recorded.field("MessagingServiceSid") else "queued",
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
