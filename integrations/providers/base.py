"""The one small interface every SMS provider adapter implements, and its normalized data.

An adapter turns our `OutboundSms` into the provider's API call and the provider's webhooks into
`InboundSms` / `StatusEvent`, whose statuses are `DeliveryStatus` words. Everything above this
module (the SMS outbox, ingestion, the Integrations page) speaks only these types. Adding a
provider means one new module implementing `SmsProvider`, one line in the registry
(`integrations/providers/__init__.py`), one `ProviderKind` choice, and its tests.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3.exceptions
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse

from integrations.providers.failure_advice import FailureAdvice
from integrations.providers.transport import request_may_have_been_sent

ACCOUNT_ID_MAX_LENGTH = 100  # Integration.account_id
# Credential checks run while an administrator waits: (connect, read) seconds, ~5 s in total.
CREDENTIAL_CHECK_TIMEOUT = (2.0, 3.0)


class DeliveryStatus(enum.StrEnum):
    """What a provider says about an outbound message, in our words (sms.models.MessageStatus
    uses the same values). "sent" means the provider accepted it."""

    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    CANCELED = "canceled"


@dataclass(frozen=True)
class ProviderCredentials:
    account_id: str  # Twilio Account SID / ClickSend username
    secret: str = field(repr=False)  # Auth Token / API Key: never in repr, logs or tasks
    phone_number: str = ""  # the sender number, E.164
    # The integration's secret URL token for providers that do not sign webhooks (ClickSend).
    webhook_token: str = field(default="", repr=False)
    messaging_service_sid: str = ""  # Twilio: send through this Messaging Service
    alpha_sender: str = ""  # ClickSend: an alphanumeric sender ID instead of a number
    # Twilio: the Phone Number is in the Messaging Service's pool (from the last sender check).
    sender_in_pool: bool = False


@dataclass(frozen=True)
class OutboundSms:
    to: str  # E.164
    body: str
    sender: str  # E.164 "From"
    reference: str  # our Message id, echoed back by providers that support it
    status_callback_url: str | None = None
    # An MMS: public URLs the provider fetches the files from (signed, expiring).
    media_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str
    status: DeliveryStatus  # SENT when accepted
    segments: int | None
    raw: dict[str, Any]
    sender: str = ""  # what the provider says it sent from, when it says


class ErrorKind(enum.Enum):
    PERMANENT = "permanent"  # invalid number, opted out, bad credentials: never retried
    TRANSIENT = "transient"  # 429, refused before anything was sent: retried with backoff
    AMBIGUOUS = "ambiguous"  # timeout, 5xx, unparseable answer: maybe sent, never retried


class ProviderError(Exception):
    """A classified failure of a provider call. `message` is readable and holds no secret."""

    def __init__(
        self,
        message: str,
        *,
        kind: ErrorKind,
        code: str = "",
        retry_after: float | None = None,
        opted_out: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.code = str(code) if code is not None else ""
        self.retry_after = retry_after
        self.opted_out = opted_out  # the recipient has opted out (e.g. Twilio 21610)

    @property
    def permanent(self) -> bool:
        return self.kind is ErrorKind.PERMANENT

    @property
    def transient(self) -> bool:
        return self.kind is ErrorKind.TRANSIENT

    @property
    def ambiguous(self) -> bool:
        return self.kind is ErrorKind.AMBIGUOUS


@dataclass(frozen=True)
class CredentialCheck:
    valid: bool | None  # True accepted, False rejected, None could not verify (unreachable)
    message: str


@dataclass(frozen=True)
class SenderCheck:
    """Whether the configured sender exists on the provider account.

    `ok` True: found; False: not found or unusable (`message` says so and what to do); None:
    could not be checked (unreachable). `in_pool`: Twilio's Phone Number is in the Messaging
    Service's sender pool."""

    ok: bool | None
    message: str
    in_pool: bool = False


class WebhookWiring(enum.StrEnum):
    """Where the provider sends replies and receipts (integrations.models.WebhookState)."""

    CONNECTED = "connected"
    NOT_CONNECTED = "not_connected"
    ELSEWHERE = "elsewhere"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return (
            self.value.replace("_", " ")
            .replace("elsewhere", "points elsewhere")
            .replace("unknown", "could not check")
        )


WEBHOOK_WIRING_LABELS = {
    WebhookWiring.CONNECTED: "connected",
    WebhookWiring.NOT_CONNECTED: "not connected",
    WebhookWiring.ELSEWHERE: "points elsewhere",
    WebhookWiring.UNKNOWN: "could not check",
}


@dataclass(frozen=True)
class WebhookStatus:
    """The provider's webhook configuration as read back from it. `detail` says where it points
    (never a secret token); `changes` lists what a connect changed (empty: nothing to do)."""

    state: WebhookWiring
    detail: str = ""
    changes: tuple[str, ...] = ()


class SetupError(Exception):
    """A configuration call (sender check, webhook wiring) failed; `message` is readable and
    holds no secret."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class InboundMedia:
    """One file of an inbound MMS, as the provider announced it (not yet downloaded)."""

    url: str
    content_type: str = ""  # as declared by the provider ("" when it does not say)


@dataclass(frozen=True)
class InboundSms:
    provider_message_id: str
    from_number: str  # as the provider sent it (may be a short code)
    to_number: str
    body: str
    received_at: datetime | None
    # "STOP" / "START" / "HELP" when the provider itself matched an opt-out keyword.
    opt_out_type: str | None
    raw: dict[str, Any]
    media: tuple[InboundMedia, ...] = ()  # every file of an MMS, in the provider's order


@dataclass(frozen=True)
class StatusEvent:
    provider_message_id: str
    status: DeliveryStatus
    error_code: str
    error_message: str
    occurred_at: datetime | None
    raw: dict[str, Any]
    # Our own Message id when the provider echoes it back (ClickSend custom_string, or the
    # query string of Twilio's StatusCallback URL); lets a callback that races the send match.
    reference: str = ""


class WebhookRejected(Exception):
    """The webhook request is not authentic (403/404) or not understood (400)."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def send_timeout() -> tuple[float, float]:
    """(connect, read) seconds for a send: neither SDK has a default timeout."""
    return (settings.SMS_PROVIDER_CONNECT_TIMEOUT, settings.SMS_PROVIDER_READ_TIMEOUT)


def ca_bundle() -> str | None:
    """A CA bundle to verify providers' certificates with (a TLS-inspecting proxy, a local
    TLS fake), or None for the system's."""
    return settings.SMS_PROVIDER_CA_BUNDLE or None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if absent/bad."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _why_not_reached(exc: BaseException) -> str:
    """Why the connection could not be established, in words."""
    if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        return _why_not_reached(exc.reason)
    if (
        isinstance(exc, requests.RequestException)
        and exc.args
        and isinstance(exc.args[0], BaseException)
    ):
        return _why_not_reached(exc.args[0])
    # NewConnectionError is a ConnectTimeoutError subclass in urllib3: ask for it first.
    if isinstance(exc, urllib3.exceptions.NameResolutionError):
        return "its host name could not be resolved"
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return "the connection was refused"
    if isinstance(exc, requests.ConnectTimeout | urllib3.exceptions.ConnectTimeoutError):
        return "connecting timed out"
    if isinstance(exc, requests.exceptions.SSLError | urllib3.exceptions.SSLError):
        return "the secure connection failed"
    return "the connection failed"


def transport_failure(exc: BaseException, provider_name: str) -> ProviderError:
    """Classify a network-level failure (requests or urllib3) of a call to the provider.

    Decided by *when* it happened (`transport.request_may_have_been_sent`), not by its type: a
    failure before the connection was established means nothing was sent (transient, safe to
    retry); any failure after it (a read timeout, a dropped connection, half an answer, a TLS
    record that cannot be read) may come after the provider accepted the message (ambiguous).
    """
    if not request_may_have_been_sent():
        return ProviderError(
            f"{provider_name} could not be reached ({_why_not_reached(exc)}); nothing was sent.",
            kind=ErrorKind.TRANSIENT,
            code="unreachable",
        )
    if isinstance(exc, requests.ReadTimeout | urllib3.exceptions.ReadTimeoutError):
        return ProviderError(
            f"{provider_name} did not answer in time; the message may have been sent.",
            kind=ErrorKind.AMBIGUOUS,
            code="read_timeout",
        )
    return ProviderError(
        f"The connection to {provider_name} failed mid-request; the message may have been sent.",
        kind=ErrorKind.AMBIGUOUS,
        code="connection_lost",
    )


def shown_url(url: str) -> str:
    """A URL read from a provider's configuration, safe to show and log: without the
    user:password some webhook URLs carry (Twilio and ClickSend both accept them)."""
    parts = urlsplit(url or "")
    if parts.username is None and parts.password is None:
        return url or ""
    host = parts.hostname or ""
    netloc = f"…@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def public_url(url_name: str, **kwargs: Any) -> str:
    """Absolute URL on PUBLIC_BASE_URL (what providers call), for a named route."""
    if kwargs:
        return settings.PUBLIC_BASE_URL + reverse(url_name, kwargs=kwargs)
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return settings.PUBLIC_BASE_URL + _route_path(url_name, urlconf, get_script_prefix())


@lru_cache(maxsize=64)
def _route_path(url_name: str, urlconf: str, prefix: str) -> str:
    """A route without arguments, reversed once per URL configuration and script prefix (a send
    names its status callback route every time: reversing it is a fifth of a millisecond)."""
    return reverse(url_name, urlconf=urlconf)


class SmsProvider(ABC):
    kind: ClassVar[str]
    display_name: ClassVar[str]
    account_id_label: ClassVar[str]  # "Account SID" / "Username"
    account_id_help: ClassVar[str] = ""  # where to find it, shown under the field
    secret_label: ClassVar[str]  # "Auth Token" / "API Key"
    # The route the provider calls back with each message's status, if it takes a per-message
    # URL (Twilio's StatusCallback); None when receipts are configured account-wide (ClickSend).
    status_callback_route: ClassVar[str | None] = None
    # Status-callback error codes that mean the recipient has opted out.
    opted_out_error_codes: ClassVar[frozenset[str]] = frozenset()
    # Optional senders besides the Phone Number (shown on the settings form when supported).
    supports_messaging_service: ClassVar[bool] = False
    supports_alpha_sender: ClassVar[bool] = False
    # What a failure's error code means, in plain words, by code family (the card's health).
    failure_families: ClassVar[dict[str, str]] = {}
    # A failure's code -> what happened and what to do (shown under a failed message).
    failure_advice: ClassVar[dict[str, FailureAdvice]] = {}
    # Whole-message keywords the provider answers on its own (its STOP confirmation, its HELP
    # text): Nextal must not send a second answer. Matched as the provider does: the whole
    # body, trimmed, any case.
    self_answered_keywords: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, credentials: ProviderCredentials):
        self.credentials = credentials

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.credentials.account_id!r}>"

    @classmethod
    def answers_keyword_itself(cls, inbound: InboundSms) -> bool:
        """Whether the provider itself replied to this inbound message (a keyword it handles,
        or its own verdict in `opt_out_type`)."""
        if inbound.opt_out_type and cls.self_answered_keywords:
            return True
        return (inbound.body or "").strip().upper() in cls.self_answered_keywords

    @classmethod
    def clean_account_id(cls, value: str) -> str:
        """The account identifier as stored; ValidationError when it cannot be one."""
        value = (value or "").strip()
        if len(value) > ACCOUNT_ID_MAX_LENGTH:
            raise ValidationError("This is too long.", code="max_length")
        return value

    @classmethod
    def clean_messaging_service_sid(cls, value: str) -> str:
        if (value or "").strip():
            raise ValidationError(f"{cls.display_name} has no Messaging Services.")
        return ""

    @classmethod
    def clean_alpha_sender(cls, value: str) -> str:
        if (value or "").strip():
            raise ValidationError(f"{cls.display_name} does not send from alphanumeric IDs.")
        return ""

    @classmethod
    def destination_refusal(cls, *, alpha_sender: str, to: str) -> str | None:
        """Why this account's sender cannot text `to` at all (checked before any API call), or
        None. E.g. ClickSend's alphanumeric sender IDs cannot text US or Canadian numbers."""
        return None

    @classmethod
    def media_refusal(cls, *, content_type: str, size: int) -> str | None:
        """Why this provider cannot send this file by MMS (checked before queueing), or None."""
        return None

    @classmethod
    def advice_for(cls, code: str) -> FailureAdvice | None:
        """What a failure's error code means and what to do, when the code is known."""
        return cls.failure_advice.get(str(code or "").strip())

    @classmethod
    def failure_family(cls, code: str) -> str:
        """A failure's error code in plain words ("the recipient opted out")."""
        return cls.failure_families.get(str(code or ""), "") or (
            f"error {code}" if code else "no error code"
        )

    @classmethod
    @abstractmethod
    def webhook_urls(cls, webhook_token: str) -> list[tuple[str, str]]:
        """[(label, absolute URL)] to paste into the provider's console, e.g.
        [("Inbound message URL", "https://…/webhooks/twilio/inbound/")]."""

    @abstractmethod
    def send(self, sms: OutboundSms) -> SendResult:
        """Send one SMS. Raises ProviderError, classified, on any failure."""

    @abstractmethod
    def check_credentials(self) -> CredentialCheck:
        """Ask the provider, with a short timeout, whether the credentials are accepted."""

    @abstractmethod
    def check_sender(self) -> SenderCheck:
        """Whether the configured sender is on the account (credentials already accepted)."""

    @abstractmethod
    def webhook_status(self) -> WebhookStatus:
        """Read back where the provider sends replies and receipts. Raises SetupError."""

    @abstractmethod
    def connect_webhooks(self) -> WebhookStatus:
        """Point the provider's replies and receipts at Nextal: change only what differs (a
        second call changes nothing), then read back. Raises SetupError."""

    @abstractmethod
    def validate_webhook(self, request: HttpRequest, *, public_url: str, path_token: str) -> None:
        """Raise WebhookRejected unless the request is authentic.

        `public_url` is the URL the provider called, rebuilt from PUBLIC_BASE_URL (with query
        string); `path_token` is the secret token taken from the URL path ("" if none).
        """

    @abstractmethod
    def parse_inbound(self, request: HttpRequest) -> list[InboundSms]:
        """Normalize an inbound-message webhook. Raises WebhookRejected(400) when malformed."""

    @abstractmethod
    def parse_status(self, request: HttpRequest) -> list[StatusEvent]:
        """Normalize a status / delivery receipt webhook. Raises WebhookRejected(400)."""

    def media_credentials(self, url: str) -> tuple[str, str] | None:
        """HTTP Basic credentials for downloading `url` when it is this account's own media
        on the provider's API (Twilio's Media resource), else None: the file is then not
        fetched (kept as a link), and no credential ever goes to another host."""
        return None
