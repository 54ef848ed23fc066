"""Twilio adapter: sends through the `twilio` SDK, validates and normalizes Twilio's webhooks.

Wire facts (codes, statuses, signature rules) are in docs/provider-wire-facts.md.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from integrations.providers import failure_advice, twilio_setup
from integrations.providers.base import (
    CREDENTIAL_CHECK_TIMEOUT,
    CredentialCheck,
    DeliveryStatus,
    ErrorKind,
    InboundMedia,
    InboundSms,
    OutboundSms,
    ProviderError,
    SenderCheck,
    SendResult,
    SetupError,
    SmsProvider,
    StatusEvent,
    WebhookRejected,
    WebhookStatus,
    ca_bundle,
    parse_retry_after,
    public_url,
    send_timeout,
    transport_failure,
)
from integrations.providers.transport import ProviderSession, pooled, provider_call

logger = logging.getLogger(__name__)

# The patterns of Twilio's OpenAPI descriptions.
ACCOUNT_SID_PATTERN = re.compile(r"^AC[0-9a-fA-F]{32}$")
MESSAGING_SERVICE_SID_PATTERN = re.compile(r"^MG[0-9a-fA-F]{32}$")
# Twilio's Media resource of one message: the only URLs Nextal sends the Auth Token to.
MEDIA_PATH_PATTERN = re.compile(
    r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages/(?:MM|SM)[0-9a-fA-F]{32}"
    r"/Media/ME[0-9a-fA-F]{32}$"
)
MAX_MEDIA = 10  # Twilio delivers at most 10 media per message
# A message SID as Twilio writes it. Its signature concatenates key + value, so a re-split body
# (`MessageSid=<sid>NumMedia0` without `NumMedia=0`) still verifies: only the exact shape is
# accepted, and a replay cannot become a second message.
MESSAGE_SID_PATTERN = re.compile(r"(SM|MM)[0-9a-f]{32}", re.ASCII)

# Twilio error code -> (readable reason, kind). Anything else is classified by HTTP status.
ERROR_CODES: dict[int, tuple[str, ErrorKind]] = {
    20003: ("Twilio rejected the credentials", ErrorKind.PERMANENT),
    20429: ("Twilio is rate limiting requests", ErrorKind.TRANSIENT),
    21211: ("The phone number is not a valid phone number", ErrorKind.PERMANENT),
    21408: ("Sending to this country is not enabled on the Twilio account", ErrorKind.PERMANENT),
    21606: (
        "The sender number cannot send SMS from this Twilio account",
        ErrorKind.PERMANENT,
    ),
    21610: ("The recipient has opted out of messages (replied STOP)", ErrorKind.PERMANENT),
    21612: ("The phone number cannot be reached from the sender number", ErrorKind.PERMANENT),
    21614: ("The phone number is not a valid mobile number", ErrorKind.PERMANENT),
}
OPTED_OUT_CODES = {21610}  # a send refused because the recipient opted out

# Error code families in plain words (docs/provider-wire-facts.md, "Twilio error families"), for
# the card's "top failure reasons" and its warnings.
FAILURE_FAMILIES: dict[str, str] = {
    "20003": "Twilio rejected the credentials",
    "20429": "Twilio rate limited the sends",
    "21211": "the recipient's number is not valid",
    "21408": "sending to that country is not enabled on the account",
    "21610": "the recipient opted out (replied STOP)",
    "21612": "the recipient cannot be reached from this sender",
    "21614": "the recipient's number cannot receive SMS",
    "21635": "the recipient's number is a landline",
    "21265": "the recipient's number is a short code",
    "21603": "no sender was given (neither a number nor a Messaging Service)",
    "21606": "the sender is not on this account or cannot text that destination",
    "21659": "the sender is not a Twilio number or not for that country",
    "21660": "the sender belongs to another account",
    "21661": "the sender cannot send SMS",
    "21703": "the Messaging Service has no sender for that destination",
    "30003": "the handset was unreachable (may be temporary)",
    "30005": "the destination number is unknown",
    "30006": "a landline or an unreachable carrier",
    "30007": "the carrier filtered the message (spam filtering)",
    "30008": "the carrier reported an unknown error",
}


class TwilioTransport(TwilioHttpClient):
    """Twilio's requests-based client: a (connect, read) timeout, tracked connections (did a
    failed call get as far as the provider?), and the last response kept so a 429's
    Retry-After can be read (TwilioRestException has no headers). Sends keep one per thread
    (kept alive between sends); configuration calls use one each."""

    def __init__(self, timeout: tuple[float, float], ca_bundle: str | None = None):
        super().__init__(timeout=None, pool_connections=False)
        # The base class only accepts a number; requests itself takes (connect, read).
        self.timeout = timeout
        self.session = ProviderSession(ca_bundle)
        self.last_response: Response | None = None

    def close(self) -> None:
        self.session.close()

    def request(self, *args, **kwargs) -> Response:
        self.last_response = None
        self.last_response = super().request(*args, **kwargs)
        return self.last_response


class TwilioProvider(SmsProvider):
    kind = "twilio"
    display_name = "Twilio"
    account_id_label = "Account SID"
    account_id_help = "Starts with AC; shown on the Twilio Console dashboard."
    secret_label = "Auth Token"  # noqa: S105 - a form label, not a secret
    status_callback_route = "sms:twilio_status"
    # A STOP-blocked send through a Messaging Service arrives later as failed with 21610.
    opted_out_error_codes = frozenset({"21610"})
    supports_messaging_service = True
    failure_families = FAILURE_FAMILIES
    failure_advice = failure_advice.TWILIO
    # Twilio's own opt-out handling answers these (docs/provider-wire-facts.md, "Opt-out"); it
    # does not act on a sentence, a full-width "ＳＴＯＰ" or a French word unless configured to,
    # in which case the webhook carries OptOutType.
    self_answered_keywords = frozenset(
        {
            "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT",
            "START", "YES", "UNSTOP", "HELP", "INFO",
        }
    )  # fmt: skip

    # Twilio's MessageStatus words -> ours. Twilio reports "queued"/"accepted"/"scheduled"/
    # "sending" only once it has accepted the message, which is what our "sent" means (the send
    # itself returns "sent" for Twilio's "queued"); a rank rule keeps them from going backwards.
    # "receiving"/"received" belong to inbound messages; other words are ignored, not guessed.
    STATUS_MAP: dict[str, str] = {
        "accepted": DeliveryStatus.SENT,
        "queued": DeliveryStatus.SENT,
        "scheduled": DeliveryStatus.SENT,
        "sending": DeliveryStatus.SENT,
        "sent": DeliveryStatus.SENT,
        "partially_delivered": DeliveryStatus.SENT,
        "delivered": DeliveryStatus.DELIVERED,
        "read": DeliveryStatus.DELIVERED,
        "undelivered": DeliveryStatus.UNDELIVERED,
        "failed": DeliveryStatus.FAILED,
        "canceled": DeliveryStatus.CANCELED,
    }

    @classmethod
    def clean_account_id(cls, value: str) -> str:
        value = super().clean_account_id(value)
        if value and not ACCOUNT_SID_PATTERN.match(value):
            raise ValidationError(
                "Enter a valid Account SID: AC followed by 32 hexadecimal characters, as shown "
                "in the Twilio Console.",
                code="invalid",
            )
        return value

    @classmethod
    def clean_messaging_service_sid(cls, value: str) -> str:
        value = (value or "").strip()
        if value and not MESSAGING_SERVICE_SID_PATTERN.match(value):
            raise ValidationError(
                "Enter a valid Messaging Service SID: MG followed by 32 hexadecimal characters, "
                "as shown under Messaging → Services in the Twilio Console.",
                code="invalid",
            )
        return value

    @classmethod
    def webhook_urls(cls, webhook_token: str) -> list[tuple[str, str]]:
        return [("Inbound message URL", public_url("sms:twilio_inbound"))]

    # --- sending ----------------------------------------------------------------------------------

    def send(self, sms: OutboundSms) -> SendResult:
        self._require_usable_credentials()
        options = {"to": sms.to, "body": sms.body}
        if self.credentials.messaging_service_sid:
            # The pool picks the sender; a From outside the pool is refused, so the number is
            # named only when the last sender check found it in the pool.
            options["messaging_service_sid"] = self.credentials.messaging_service_sid
            if sms.sender and self.credentials.sender_in_pool:
                options["from_"] = sms.sender
        else:
            options["from_"] = sms.sender
        if sms.status_callback_url:
            options["status_callback"] = sms.status_callback_url
        if sms.media_urls:
            options["media_url"] = list(sms.media_urls)
        # This thread's kept-alive client and session (transport.pooled): dropped after any
        # failure, and replaced when the credentials, the API or the timeouts change.
        timeout, bundle = send_timeout(), ca_bundle()
        with pooled(
            self._send_key(timeout, bundle), lambda: self._kept_client(timeout, bundle), _close
        ) as client:
            return self._send_with(client, options)

    def _send_key(self, timeout: tuple[float, float], bundle: str | None) -> tuple:
        """What the kept client depends on (the secret only as a digest)."""
        secret = hashlib.sha256(self.credentials.secret.encode()).hexdigest()
        apis = (settings.TWILIO_API_BASE_URL, settings.TWILIO_MESSAGING_BASE_URL)
        return ("twilio.send", timeout, bundle, self.credentials.account_id, secret, apis)

    def _kept_client(self, timeout: tuple[float, float], bundle: str | None) -> Client:
        return self._client(TwilioTransport(timeout=timeout, ca_bundle=bundle))

    def _send_with(self, client: Client, options: dict) -> SendResult:
        http_client = client.http_client
        try:
            with provider_call():
                try:
                    client.messages.create(**options)
                except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
                    raise transport_failure(exc, self.display_name) from exc
        except TwilioException as exc:
            raise self._error_from(exc, http_client.last_response) from exc
        except ValueError as exc:  # a 2xx body that is not JSON
            raise self._unreadable_answer("its answer was not JSON") from exc

        # Parse the body ourselves (leniently) so `raw` is exactly what Twilio sent.
        response = http_client.last_response
        try:
            raw = json.loads(response.text) if response is not None else None
        except ValueError as exc:
            raise self._unreadable_answer("its answer was not JSON") from exc
        if not isinstance(raw, dict) or not str(raw.get("sid") or "").startswith(("SM", "MM")):
            raise self._unreadable_answer("its answer has no message id")
        return SendResult(
            provider_message_id=raw["sid"],
            status=DeliveryStatus.SENT,
            segments=_int_or_none(raw.get("num_segments")),
            raw=raw,
            # Null for a Messaging Service send until the pool has picked the number.
            sender=raw.get("from") if isinstance(raw.get("from"), str) else "",
        )

    def check_credentials(self) -> CredentialCheck:
        if not self.credentials.secret:
            return CredentialCheck(False, "No Auth Token is set; enter it again.")
        if not ACCOUNT_SID_PATTERN.match(self.credentials.account_id):
            return CredentialCheck(
                False, "The Account SID must be “AC” followed by 32 hexadecimal characters."
            )
        http_client = TwilioTransport(timeout=CREDENTIAL_CHECK_TIMEOUT, ca_bundle=ca_bundle())
        try:
            with provider_call():
                try:
                    self._client(http_client).api.v2010.accounts(
                        self.credentials.account_id
                    ).fetch()
                except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
                    raise transport_failure(exc, self.display_name) from exc
        except ProviderError as error:
            return CredentialCheck(None, f"Not verified: {error.message.split(';')[0]}.")
        except TwilioException as exc:
            status = getattr(exc, "status", None)
            if status in (401, 403):
                return CredentialCheck(False, "Rejected by Twilio: authentication failed.")
            if status == 404:
                return CredentialCheck(False, "Rejected by Twilio: no account has this SID.")
            return CredentialCheck(None, f"Not verified: Twilio answered HTTP {status}.")
        except ValueError:
            return CredentialCheck(None, "Not verified: Twilio's answer could not be read.")
        finally:
            http_client.session.close()
        return CredentialCheck(True, "Accepted by Twilio.")

    # --- account configuration ------------------------------------------------------------------

    def check_sender(self) -> SenderCheck:
        try:
            return self._setup_call(twilio_setup.check_sender, self.credentials)
        except SetupError as error:
            return SenderCheck(None, f"Not verified: {error.message}")

    def webhook_status(self) -> WebhookStatus:
        return self._setup_call(
            twilio_setup.webhook_status, self.credentials, public_url("sms:twilio_inbound")
        )

    def connect_webhooks(self) -> WebhookStatus:
        return self._setup_call(
            twilio_setup.connect, self.credentials, public_url("sms:twilio_inbound")
        )

    def _setup_call(self, function, *args):
        """Run a twilio_setup function with a fresh client; SDK failures become SetupError."""
        if not self.credentials.secret or not ACCOUNT_SID_PATTERN.match(
            self.credentials.account_id
        ):
            raise SetupError("the Account SID or Auth Token is missing.")
        http_client = TwilioTransport(timeout=CREDENTIAL_CHECK_TIMEOUT, ca_bundle=ca_bundle())
        try:
            with provider_call():
                try:
                    return function(self._client(http_client), *args)
                except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
                    # Classified inside the call: it knows whether a connection was made.
                    reason = transport_failure(exc, self.display_name).message.split(";")[0]
                    raise SetupError(f"{reason}.") from exc
        except TwilioException as exc:
            # List calls raise a bare TwilioException: the status is on the kept response.
            response = http_client.last_response
            status = getattr(exc, "status", None) or (response.status_code if response else None)
            if status in (401, 403):
                raise SetupError("Twilio rejected the credentials.") from exc
            if status is not None and 200 <= status < 300:  # a success the SDK could not read
                raise SetupError("Twilio's answer could not be read.") from exc
            code = getattr(exc, "code", None)
            detail = _error_payload_message(http_client.last_response)
            raise SetupError(
                f"Twilio answered HTTP {status}"
                + (f" ({code})" if code else "")
                + (f": {detail}" if detail else ".")
            ) from exc
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            # An answer shaped unlike Twilio's own (a proxy's page, a changed field).
            raise SetupError("Twilio's answer could not be read.") from exc
        finally:
            http_client.session.close()

    def _client(self, http_client: TwilioHttpClient) -> Client:
        client = Client(
            self.credentials.account_id, self.credentials.secret, http_client=http_client
        )
        # Point the SDK at the configured APIs (a proxy, or the fake in tests). Not edge/region:
        # those rewrite the host name. Messaging Services live on their own host.
        client.api.base_url = settings.TWILIO_API_BASE_URL
        client.messaging.base_url = settings.TWILIO_MESSAGING_BASE_URL
        return client

    def _require_usable_credentials(self) -> None:
        if not self.credentials.secret:
            raise ProviderError(
                "Twilio's Auth Token is not set or could not be decrypted; enter it again.",
                kind=ErrorKind.PERMANENT,
                code="credentials",
            )
        if not ACCOUNT_SID_PATTERN.match(self.credentials.account_id):
            raise ProviderError(
                "The Twilio Account SID is malformed.", kind=ErrorKind.PERMANENT, code="credentials"
            )

    def _error_from(self, exc: TwilioException, response: Response | None) -> ProviderError:
        status = getattr(exc, "status", None) or (
            response.status_code if response is not None else 0
        )
        code = getattr(exc, "code", None)
        if code == status:  # the SDK's stand-in when the body carries no Twilio error code
            code = None
        known = ERROR_CODES.get(code) if isinstance(code, int) else None
        detail = f" (Twilio {code})" if code else f" (HTTP {status})"
        if status == 429 or code == 20429:
            retry_after = (
                parse_retry_after(response.headers.get("Retry-After"))
                if response is not None
                else None
            )
            return ProviderError(
                "Twilio is rate limiting requests" + detail,
                kind=ErrorKind.TRANSIENT,
                code=code or status,
                retry_after=retry_after,
            )
        if status in (401, 403):
            return ProviderError(
                "Twilio rejected the credentials" + detail,
                kind=ErrorKind.PERMANENT,
                code=code or status,
            )
        if known:
            reason, kind = known
            return ProviderError(
                reason + detail, kind=kind, code=code, opted_out=code in OPTED_OUT_CODES
            )
        if status >= 500 or not status:
            return ProviderError(
                f"Twilio failed with HTTP {status}; the message may have been sent.",
                kind=ErrorKind.AMBIGUOUS,
                code=code or status,
            )
        # Other 4xx: Twilio refused this request and will refuse it again.
        # Twilio's own words from the body (the SDK's own, "Unable to create record", say nothing).
        twilio_message = _error_payload_message(response)
        reason = "Twilio rejected the message"
        if twilio_message:
            reason += f": {twilio_message}"
        return ProviderError(
            reason.rstrip(".") + detail, kind=ErrorKind.PERMANENT, code=code or status
        )

    def _unreadable_answer(self, why: str) -> ProviderError:
        return ProviderError(
            f"Twilio accepted the request but {why}; the message may have been sent.",
            kind=ErrorKind.AMBIGUOUS,
            code="unreadable_response",
        )

    # --- webhooks ---------------------------------------------------------------------------------

    def validate_webhook(self, request: HttpRequest, *, public_url: str, path_token: str) -> None:
        if request.content_type != "application/x-www-form-urlencoded":
            raise WebhookRejected(400, "Twilio webhooks must be form-encoded.")
        if not self.credentials.secret:
            raise WebhookRejected(403, "No Twilio Auth Token is set to check the signature.")
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature:
            raise WebhookRejected(403, "The X-Twilio-Signature header is missing.")
        # The QueryDict, not .dict(): every posted value (repeated keys too) is signed.
        if not RequestValidator(self.credentials.secret).validate(
            public_url, request.POST, signature
        ):
            raise WebhookRejected(403, "The X-Twilio-Signature does not match.")
        if self.webhook_match(request.POST) is None:
            raise WebhookRejected(403, "This webhook is for another Twilio account.")

    def webhook_match(self, params) -> str | None:
        """How a signed webhook belongs to this integration: "service" (its MessagingServiceSid
        is ours), "number" (our AccountSid and our number), "account" (our AccountSid, another
        number: still kept, a reply must not be lost), or None (another account).

        Both keys are tried: a Messaging Service's pool number is not the Phone Number, and a
        number's own webhook carries no MessagingServiceSid.
        """
        account = str(params.get("AccountSid") or "")
        if not account or account != self.credentials.account_id:
            return None  # every Twilio webhook names its account; another one's is not ours
        service = str(params.get("MessagingServiceSid") or "")
        if service and service == self.credentials.messaging_service_sid:
            return "service"
        ours = {self.credentials.phone_number} - {""}
        if {str(params.get("To") or ""), str(params.get("From") or "")} & ours:
            return "number"
        logger.warning(
            "Signed Twilio webhook for a number that is neither the Phone Number nor the "
            "Messaging Service; kept."
        )
        return "account"

    def parse_inbound(self, request: HttpRequest) -> list[InboundSms]:
        raw = _flat(request)
        message_sid, from_number, to_number = _require(raw, "MessageSid", "From", "To")
        _require_message_sid(message_sid)
        opt_out_type = str(raw.get("OptOutType") or "").strip().upper() or None
        return [
            InboundSms(
                provider_message_id=message_sid,
                from_number=from_number,
                to_number=to_number,
                body=str(raw.get("Body") or ""),  # absent for media-only messages
                received_at=None,  # Twilio does not say; the receiving time is the best we have
                opt_out_type=opt_out_type,
                raw=raw,
                media=_media(raw),
            )
        ]

    def media_credentials(self, url: str) -> tuple[str, str] | None:
        """The Auth Token only for this account's Media URLs on Twilio's API host
        (TWILIO_API_BASE_URL): same scheme, host and port, and the Media resource's path."""
        parts, api = urlsplit(url or ""), urlsplit(settings.TWILIO_API_BASE_URL)
        if (parts.scheme, parts.hostname, parts.port) != (api.scheme, api.hostname, api.port):
            return None
        if parts.username or parts.password or parts.query or parts.fragment:
            return None
        match = MEDIA_PATH_PATTERN.match(parts.path)
        if match is None or match.group(1) != self.credentials.account_id:
            return None
        if not self.credentials.secret:
            return None
        return (self.credentials.account_id, self.credentials.secret)

    def parse_status(self, request: HttpRequest) -> list[StatusEvent]:
        raw = _flat(request)
        (message_sid,) = _require(raw, "MessageSid")
        _require_message_sid(message_sid)
        word = str(raw.get("MessageStatus") or raw.get("SmsStatus") or "").strip().lower()
        if not word:
            raise WebhookRejected(400, "MessageStatus is missing.")
        status = self.STATUS_MAP.get(word)
        if status is None:
            logger.info("Ignoring Twilio status %r for %s", word, message_sid)
            return []
        error_code = str(raw.get("ErrorCode") or "")
        return [
            StatusEvent(
                provider_message_id=message_sid,
                status=status,
                error_code=error_code,
                error_message=_error_text(error_code),
                occurred_at=_raw_dlr_done_date(raw.get("RawDlrDoneDate")),
                raw=raw,
                reference=request.GET.get("message", ""),
            )
        ]


def _close(client: Client) -> None:
    client.http_client.close()


def _flat(request: HttpRequest) -> dict:
    """What was posted, one value per key (a list where a key was repeated)."""
    return {key: values[0] if len(values) == 1 else values for key, values in request.POST.lists()}


def _media(raw: dict) -> tuple[InboundMedia, ...]:
    """Every MediaUrl{N} with its MediaContentType{N}, N below NumMedia (at most 10)."""
    count = _int_or_none(raw.get("NumMedia")) or 0
    media = []
    for index in range(min(max(count, 0), MAX_MEDIA)):
        url = raw.get(f"MediaUrl{index}")
        if isinstance(url, str) and url.strip():
            content_type = raw.get(f"MediaContentType{index}")
            media.append(
                InboundMedia(
                    url=url.strip(),
                    content_type=content_type.strip() if isinstance(content_type, str) else "",
                )
            )
    return tuple(media)


def _require(raw: dict, *names: str) -> list[str]:
    values = []
    for name in names:
        value = raw.get(name)
        if not isinstance(value, str) or not value.strip():
            raise WebhookRejected(400, f"{name} is missing.")
        values.append(value.strip())
    return values


def _require_message_sid(value: str) -> None:
    if not MESSAGE_SID_PATTERN.fullmatch(value):
        raise WebhookRejected(400, "MessageSid is not a Twilio message SID (SM or MM + 32 hex).")


def _error_payload_message(response: Response | None) -> str:
    """Twilio's own `message` from an error body (the SDK prefixes it with its own words)."""
    try:
        payload = json.loads(response.text) if response is not None else None
    except ValueError:
        return ""
    message = payload.get("message") if isinstance(payload, dict) else None
    return message if isinstance(message, str) else ""


def _error_text(error_code: str) -> str:
    if not error_code:
        return ""
    known = ERROR_CODES.get(int(error_code)) if error_code.isdigit() else None
    return f"{known[0]} (Twilio {error_code})" if known else f"Twilio error {error_code}"


def _raw_dlr_done_date(value) -> datetime | None:
    """Carrier's delivery time, YYMMDDhhmm (UTC); None when absent or malformed."""
    try:
        return datetime.strptime(str(value), "%y%m%d%H%M").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
