"""ClickSend adapter: sends through `clicksend-client` 6.x, normalizes ClickSend's webhooks.

The SDK's strict response models raise on real answers (a numeric `message_price`, an empty
`schedule`) after ClickSend has accepted and billed the message, so sends use
`send_sms_without_preload_content` and the answer is parsed leniently here. ClickSend does not
sign webhooks: they are authenticated by the integration's secret token in the URL path.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import clicksend
import phonenumbers
import urllib3.exceptions
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from integrations.providers import failure_advice
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
from integrations.providers.clicksend_setup import ClickSendRules
from integrations.providers.transport import pooled, provider_call, track

logger = logging.getLogger(__name__)

MMS_SUBJECT = "Message"  # ClickSend's MMS needs a subject (at most 20 characters)
MMS_TYPES = frozenset({"image/jpeg", "image/gif"})
MMS_MAX_BYTES = 250 * 1024

SOURCE = "nextal"  # shows in ClickSend's reports as the sending application

# A message's `status` in a 200 answer, when it is not SUCCESS -> (readable reason, kind).
# Words not listed are permanent: ClickSend did not queue the message and would refuse it again.
MESSAGE_STATUSES: dict[str, tuple[str, ErrorKind]] = {
    "INVALID_RECIPIENT": ("The phone number is not a valid mobile number", ErrorKind.PERMANENT),
    "COUNTRY_NOT_ENABLED": (
        "Sending to this country is not enabled on the ClickSend account",
        ErrorKind.PERMANENT,
    ),
    "INVALID_SENDER_ID": ("ClickSend does not allow this sender number", ErrorKind.PERMANENT),
    "INSUFFICIENT_CREDIT": ("The ClickSend account has run out of credit", ErrorKind.PERMANENT),
    "ACCOUNT_NOT_ACTIVATED": ("The ClickSend account is not activated", ErrorKind.PERMANENT),
    "INVALID_CREDENTIALS": ("ClickSend rejected the credentials", ErrorKind.PERMANENT),
    "THROTTLED": ("ClickSend is rate limiting messages", ErrorKind.TRANSIENT),
    "TOO_MANY_REQUESTS": ("ClickSend is rate limiting requests", ErrorKind.TRANSIENT),
}

# Failure codes in plain words, for the card's "top failure reasons".
FAILURE_FAMILIES: dict[str, str] = {
    "INVALID_RECIPIENT": "the recipient's number is not valid",
    "COUNTRY_NOT_ENABLED": "sending to that country is not enabled on the account",
    "INVALID_SENDER_ID": "ClickSend does not allow this sender",
    "INSUFFICIENT_CREDIT": "the ClickSend account ran out of credit",
    "ACCOUNT_NOT_ACTIVATED": "the ClickSend account is not activated",
    "INVALID_CREDENTIALS": "ClickSend rejected the credentials",
    "THROTTLED": "ClickSend rate limited the sends",
    "TOO_MANY_REQUESTS": "ClickSend rate limited the sends",
    "alpha_sender_region": "a sender ID cannot text US or Canadian numbers",
}

# Alphanumeric sender IDs: 3–11 of a-z A-Z 0-9 and +, at least one non-digit (wire facts).
ALPHA_SENDER_PATTERN = re.compile(r"^(?=.*[^0-9])[A-Za-z0-9+]{3,11}$")
# US and Canadian traffic must come from a pre-approved number, never a sender ID.
ALPHA_SENDER_BLOCKED_REGIONS = frozenset({"US", "CA"})


class ClickSendProvider(SmsProvider):
    kind = "clicksend"
    display_name = "ClickSend"
    account_id_label = "Username"
    account_id_help = "Your ClickSend API username (Developers → API Credentials)."
    secret_label = "API Key"  # noqa: S105 - a form label, not a secret
    supports_alpha_sender = True
    failure_families = FAILURE_FAMILIES
    failure_advice = failure_advice.CLICKSEND

    # Delivery receipt `status_code` -> our status. 300 (temporary failure: ClickSend retries)
    # is not final and is ignored, as are codes ClickSend may add later.
    RECEIPT_STATUS_MAP: dict[int, str] = {
        200: DeliveryStatus.SENT,
        201: DeliveryStatus.DELIVERED,
        301: DeliveryStatus.FAILED,
    }

    @classmethod
    def webhook_urls(cls, webhook_token: str) -> list[tuple[str, str]]:
        return [
            ("Inbound SMS URL", public_url("sms:clicksend_inbound", token=webhook_token)),
            (
                "Delivery receipt URL",
                public_url("sms:clicksend_receipts", token=webhook_token),
            ),
        ]

    @classmethod
    def clean_alpha_sender(cls, value: str) -> str:
        value = (value or "").strip()
        if value and not ALPHA_SENDER_PATTERN.match(value):
            raise ValidationError(
                "A sender ID has 3 to 11 letters, digits or +, and at least one letter.",
                code="invalid",
            )
        return value

    @classmethod
    def destination_refusal(cls, *, alpha_sender: str, to: str) -> str | None:
        if not alpha_sender:
            return None
        try:
            region = phonenumbers.region_code_for_number(phonenumbers.parse(to, None))
        except phonenumbers.NumberParseException:
            return None
        if region in ALPHA_SENDER_BLOCKED_REGIONS:
            return (
                f"ClickSend sends from the sender ID “{alpha_sender}”, and US and Canadian "
                "numbers can only be texted from a dedicated number."
            )
        return None

    # --- sending ----------------------------------------------------------------------------------

    def send(self, sms: OutboundSms) -> SendResult:
        if not self.credentials.secret:
            raise ProviderError(
                "ClickSend's API Key is not set or could not be decrypted; enter it again.",
                kind=ErrorKind.PERMANENT,
                code="credentials",
            )
        alpha_sender = self.credentials.alpha_sender
        refusal = self.destination_refusal(alpha_sender=alpha_sender, to=sms.to)
        if refusal:  # refused here, before any API call
            raise ProviderError(refusal, kind=ErrorKind.PERMANENT, code="alpha_sender_region")
        api_client = self._new_api_client()
        # This thread's kept-alive pool manager (transport.pooled): dropped after any failure.
        with (
            pooled(
                ("clicksend.send", ca_bundle()),
                lambda: track(api_client.rest_client.pool_manager),
                urllib3.PoolManager.clear,
            ) as pool_manager,
            provider_call(),
        ):
            api_client.rest_client.pool_manager = pool_manager
            try:
                response = self._send_call(api_client, sms, alpha_sender)
                status, headers, body = response.status, response.headers, response.read()
                response.release_conn()  # back to the pool for the next send
            except urllib3.exceptions.HTTPError as exc:
                raise transport_failure(exc, self.display_name) from exc
            except clicksend.ApiException as exc:
                raise transport_failure(_unwrapped(exc), self.display_name) from exc

        payload = _json_or_none(body)
        if not 200 <= status < 300:
            raise self._http_error(status, headers, payload)
        return self._result_from(payload)

    @classmethod
    def media_refusal(cls, *, content_type: str, size: int) -> str | None:
        # ClickSend's MMS: one file, JPEG or GIF as is, at most 250 kB (clicksend-client 6.0.2,
        # MmsApi.send_mms).
        if content_type not in MMS_TYPES:
            return "ClickSend sends only JPEG and GIF images by MMS; attach one of those."
        if size > MMS_MAX_BYTES:
            return "ClickSend's MMS takes files up to 250 kB; attach a smaller image."
        return None

    @staticmethod
    def _send_call(api_client, sms: OutboundSms, alpha_sender: str):
        """The SMS API, or for a message with a file the MMS API (`/v3/mms/send`: one file,
        fetched by ClickSend from `media_file`; it echoes no custom_string)."""
        sender = alpha_sender or sms.sender or None
        if sms.media_urls:
            request = clicksend.SendMmsRequest(
                media_file=sms.media_urls[0],
                messages=[
                    clicksend.SendMmsRequestMessagesInner(
                        to=sms.to,
                        body=sms.body,
                        var_from=sender,
                        subject=MMS_SUBJECT,
                        source=SOURCE,
                    )
                ],
            )
            return clicksend.MmsApi(api_client).send_mms_without_preload_content(
                send_mms_request=request, _request_timeout=send_timeout()
            )
        message = clicksend.SendSmsRequestMessagesInner(
            to=sms.to, body=sms.body, var_from=sender, source=SOURCE, custom_string=sms.reference
        )
        return clicksend.SmsApi(api_client).send_sms_without_preload_content(
            send_sms_request=clicksend.SendSmsRequest(messages=[message]),
            _request_timeout=send_timeout(),
        )

    def check_credentials(self) -> CredentialCheck:
        if not self.credentials.secret:
            return CredentialCheck(False, "No API Key is set; enter it again.")
        with self._api_client() as api_client, provider_call():
            try:
                response = clicksend.ManagementApi(
                    api_client
                ).view_account_details_without_preload_content(
                    _request_timeout=CREDENTIAL_CHECK_TIMEOUT
                )
                status = response.status
                response.read()
            except (urllib3.exceptions.HTTPError, clicksend.ApiException) as exc:
                failure = transport_failure(_unwrapped(exc), self.display_name)
                return CredentialCheck(None, f"Not verified: {failure.message.split(';')[0]}.")
        if status == 200:
            return CredentialCheck(True, "Accepted by ClickSend.")
        if status in (401, 403):
            return CredentialCheck(False, "Rejected by ClickSend: authentication failed.")
        return CredentialCheck(None, f"Not verified: ClickSend answered HTTP {status}.")

    # --- account configuration ------------------------------------------------------------------

    def _webhook_targets(self) -> dict[str, str]:
        urls = dict(self.webhook_urls(self.credentials.webhook_token))
        return {"inbound": urls["Inbound SMS URL"], "receipts": urls["Delivery receipt URL"]}

    def check_sender(self) -> SenderCheck:
        try:
            return self._setup_call(lambda rules: rules.check_sender())
        except SetupError as error:
            return SenderCheck(None, f"Not verified: {error.message}")

    def webhook_status(self) -> WebhookStatus:
        return self._setup_call(lambda rules: rules.webhook_status(self._webhook_targets()))

    def connect_webhooks(self) -> WebhookStatus:
        return self._setup_call(lambda rules: rules.connect(self._webhook_targets()))

    def _setup_call(self, call):
        if not self.credentials.secret:
            raise SetupError("the API Key is missing.")
        with self._api_client() as api_client, provider_call():
            try:
                return call(ClickSendRules(api_client, self.credentials))
            except (urllib3.exceptions.HTTPError, clicksend.ApiException) as exc:
                failure = transport_failure(_unwrapped(exc), self.display_name)
                raise SetupError(f"{failure.message.split(';')[0]}.") from exc
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                # An answer shaped unlike ClickSend's own (a proxy's page, a changed field).
                raise SetupError("ClickSend's answer could not be read.") from exc

    def _new_api_client(self) -> clicksend.ApiClient:
        configuration = clicksend.Configuration(
            username=self.credentials.account_id,
            password=self.credentials.secret,
            host=settings.CLICKSEND_API_BASE_URL,
            # Fail fast and let our task decide: urllib3's default would retry connect errors.
            retries=False,
            ssl_ca_cert=ca_bundle(),
        )
        return clicksend.ApiClient(configuration)

    @contextmanager
    def _api_client(self) -> Iterator[clicksend.ApiClient]:
        """A client of its own for a configuration call, its sockets closed afterwards."""
        api_client = self._new_api_client()
        track(api_client.rest_client.pool_manager)
        try:
            yield api_client
        finally:
            # The SDK's ApiClient.__exit__ does nothing; close the sockets ourselves.
            api_client.rest_client.pool_manager.clear()

    def _http_error(self, status: int, headers, payload: Any) -> ProviderError:
        envelope = payload if isinstance(payload, dict) else {}
        response_code = str(envelope.get("response_code") or "")
        detail = f" (ClickSend {response_code or status})"
        if status == 429:
            return ProviderError(
                "ClickSend is rate limiting requests" + detail,
                kind=ErrorKind.TRANSIENT,
                code=response_code or status,
                retry_after=parse_retry_after(headers.get("Retry-After")),
            )
        if status in (401, 403):
            return ProviderError(
                "ClickSend rejected the credentials" + detail,
                kind=ErrorKind.PERMANENT,
                code=response_code or status,
            )
        if status >= 500:
            return ProviderError(
                f"ClickSend failed with HTTP {status}; the message may have been sent.",
                kind=ErrorKind.AMBIGUOUS,
                code=status,
            )
        known = MESSAGE_STATUSES.get(response_code)
        if known:
            reason, kind = known
            return ProviderError(reason + detail, kind=kind, code=response_code)
        clicksend_message = str(envelope.get("response_msg") or "").rstrip(".")
        reason = "ClickSend rejected the message"
        if clicksend_message:
            reason += f": {clicksend_message}"
        return ProviderError(
            reason + detail, kind=ErrorKind.PERMANENT, code=response_code or status
        )

    def _result_from(self, payload: Any) -> SendResult:
        if not isinstance(payload, dict):
            raise self._unreadable_answer("its answer was not JSON")
        messages = (
            (payload.get("data") or {}).get("messages")
            if isinstance(payload.get("data"), dict)
            else None
        )
        if not isinstance(messages, list) or not messages or not isinstance(messages[0], dict):
            raise self._unreadable_answer("its answer lists no message")
        message = messages[0]
        message_status = str(message.get("status") or "").upper()
        if message_status != "SUCCESS":
            reason, kind = MESSAGE_STATUSES.get(
                message_status, ("ClickSend did not accept the message", ErrorKind.PERMANENT)
            )
            raise ProviderError(
                f"{reason} (ClickSend {message_status or 'no status'})",
                kind=kind,
                code=message_status,
            )
        message_id = message.get("message_id")
        if not isinstance(message_id, str) or not message_id:
            raise self._unreadable_answer("its answer has no message id")
        return SendResult(
            provider_message_id=message_id,
            status=DeliveryStatus.SENT,
            segments=_int_or_none(message.get("message_parts")),
            raw=payload,
        )

    def _unreadable_answer(self, why: str) -> ProviderError:
        return ProviderError(
            f"ClickSend accepted the request but {why}; the message may have been sent.",
            kind=ErrorKind.AMBIGUOUS,
            code="unreadable_response",
        )

    # --- webhooks ---------------------------------------------------------------------------------

    def validate_webhook(self, request: HttpRequest, *, public_url: str, path_token: str) -> None:
        expected = self.credentials.webhook_token
        # compare_digest on bytes: it refuses non-ASCII str, and a path can carry anything.
        if not expected or not hmac.compare_digest(path_token.encode(), expected.encode()):
            raise WebhookRejected(404, "Unknown webhook URL.")

    def parse_inbound(self, request: HttpRequest) -> list[InboundSms]:
        inbound = []
        for raw in _payloads(request):
            message_id, from_number, to_number = (
                _text(raw, "message_id", required=True),
                _text(raw, "from", required=True),
                _text(raw, "to", required=True),
            )
            inbound.append(
                InboundSms(
                    provider_message_id=message_id,
                    from_number=from_number,
                    to_number=to_number,
                    body=_text(raw, "body"),
                    received_at=_timestamp(raw.get("timestamp")),
                    # Messages sent through the API bypass ClickSend's opt-out handling: keyword
                    # detection is ours (sms services), so the provider never reports one.
                    opt_out_type=None,
                    raw=raw,
                    media=_media(raw),
                )
            )
        return inbound

    def parse_status(self, request: HttpRequest) -> list[StatusEvent]:
        events = []
        for raw in _payloads(request):
            message_id = _text(raw, "message_id", required=True)
            status_code = _status_code(raw.get("status_code"))
            status = self.RECEIPT_STATUS_MAP.get(status_code)
            if status is None:
                logger.info("Ignoring ClickSend receipt status %s for %s", status_code, message_id)
                continue
            error_code = _text(raw, "error_code")
            error_text = _text(raw, "error_text")
            events.append(
                StatusEvent(
                    provider_message_id=message_id,
                    status=status,
                    error_code=error_code,
                    error_message=error_text
                    or (f"ClickSend error {error_code}" if error_code else ""),
                    occurred_at=_timestamp(raw.get("timestamp")),
                    raw=raw,
                    reference=_text(raw, "custom_string"),
                )
            )
        return events


def _unwrapped(exc: BaseException) -> BaseException:
    """The SDK turns a urllib3 SSLError (handshake or reading the answer alike) into an
    ApiException with status 0; give the classifier the TLS failure back."""
    if isinstance(exc, clicksend.ApiException) and not exc.status:
        return urllib3.exceptions.SSLError(exc.reason)
    return exc


# --- lenient payload readers ----------------------------------------------------------------------


def _payloads(request: HttpRequest) -> list[dict[str, Any]]:
    """The posted objects: ClickSend posts JSON or a form, depending on the rule's settings."""
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise WebhookRejected(400, "The body is not valid JSON.") from exc
        items = payload if isinstance(payload, list) else [payload]
        if not items or not all(isinstance(item, dict) for item in items):
            raise WebhookRejected(400, "The JSON body is not an object.")
        return items
    form = request.POST if request.method == "POST" else request.GET
    raw = {key: values[0] if len(values) == 1 else values for key, values in form.lists()}
    if not raw:
        raise WebhookRejected(400, "The body is empty.")
    return [raw]


def _text(raw: dict[str, Any], name: str, *, required: bool = False) -> str:
    value = raw.get(name)
    if value is None or value == "":
        if required:
            raise WebhookRejected(400, f"{name} is missing.")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise WebhookRejected(400, f"{name} has the wrong type.")
    return str(value).strip()


def _status_code(value: Any) -> int:
    if isinstance(value, bool) or value in (None, ""):
        raise WebhookRejected(400, "status_code is missing.")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise WebhookRejected(400, "status_code is not a number.")


def _timestamp(value: Any) -> datetime | None:
    """Unix seconds, as a number or a string; None when absent."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise WebhookRejected(400, "timestamp is not a number.")
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise WebhookRejected(400, "timestamp is not a number.") from exc


def _json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# Where ClickSend names an MMS's file: `_media_file_url` on its MMS records (a temporary, signed
# download URL; clicksend-client 6.0.2, ViewMmsHistory), `media_file` on a sent MMS. Its inbound
# SMS rule payload documents no media field, so whichever of these a payload carries is kept as
# a link (never fetched: ClickSend does not sign webhooks).
MEDIA_FIELDS = ("_media_file_url", "media_file_url", "media_file")


def _media(raw: dict) -> tuple[InboundMedia, ...]:
    for name in MEDIA_FIELDS:
        value = raw.get(name)
        if isinstance(value, str) and value.strip().lower().startswith(("https://", "http://")):
            return (InboundMedia(url=value.strip()),)
    return ()
