"""Twilio account configuration: is the sender on the account, and where do replies go.

Replies reach Nextal through one of two places (docs/provider-wire-facts.md, round 2):
- the number's own `SmsUrl` (IncomingPhoneNumbers), or
- a Messaging Service's `inbound_request_url`, which wins over the numbers in its pool when the
  service's `use_inbound_webhook_on_number` is false.
So when Nextal sends through a Messaging Service, or when its Phone Number sits in one, the
service is what gets configured; otherwise the number is. Delivery statuses need nothing: every
send names its own StatusCallback.

Every function here takes a `twilio.rest.Client` already pointed at the configured hosts and
raises the SDK's exceptions; `TwilioProvider` turns them into `SetupError`.
"""

from __future__ import annotations

from dataclasses import dataclass

from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from core.phone import display
from integrations.providers.base import (
    ProviderCredentials,
    SenderCheck,
    WebhookStatus,
    WebhookWiring,
    shown_url,
)

# How many Messaging Services are searched for the Phone Number when none is configured. The
# search costs one request per service; accounts with more name their service explicitly.
SERVICES_SEARCHED = 20
POOL_PAGE = 100


@dataclass(frozen=True)
class ReplyRoute:
    """Where Twilio sends replies for this account's sender: a service or a number."""

    service: object | None = None  # ServiceInstance
    number: object | None = None  # IncomingPhoneNumberInstance

    @property
    def name(self) -> str:
        if self.service is not None:
            return f"Messaging Service {self.service.friendly_name or self.service.sid}"
        return f"the number {display(self.number.phone_number)}"


def _not_found(exc: Exception) -> bool:
    return isinstance(exc, TwilioRestException) and exc.status == 404


def find_number(client: Client, phone_number: str):
    """The account's IncomingPhoneNumber for `phone_number`, or None."""
    numbers = client.incoming_phone_numbers.list(phone_number=phone_number, limit=1)
    return numbers[0] if numbers else None


def fetch_service(client: Client, service_sid: str):
    """The Messaging Service, or None when the account has no such service."""
    try:
        return client.messaging.v1.services(service_sid).fetch()
    except TwilioRestException as exc:
        if _not_found(exc):
            return None
        raise


def service_holding(client: Client, number_sid: str):
    """The Messaging Service whose pool holds the number `number_sid` (PN…), or None."""
    for service in client.messaging.v1.services.list(limit=SERVICES_SEARCHED):
        try:
            client.messaging.v1.services(service.sid).phone_numbers(number_sid).fetch()
        except TwilioRestException as exc:
            if _not_found(exc):
                continue
            raise
        return service
    return None


def check_sender(client: Client, credentials: ProviderCredentials) -> SenderCheck:
    phone = credentials.phone_number
    if credentials.messaging_service_sid:
        sid = credentials.messaging_service_sid
        service = fetch_service(client, sid)
        if service is None:
            return SenderCheck(
                False,
                f"{sid} is not a Messaging Service on this Twilio account. Copy the SID from "
                "Messaging → Services in the Twilio Console.",
            )
        pool = client.messaging.v1.services(sid).phone_numbers.list(limit=POOL_PAGE)
        name = service.friendly_name or sid
        if not pool:
            return SenderCheck(
                False,
                f"Messaging Service {name} has no phone numbers in its sender pool: add one "
                "under Messaging → Services → Sender Pool in the Twilio Console.",
            )
        if phone and phone not in {number.phone_number for number in pool}:
            return SenderCheck(
                False,
                f"{display(phone)} is not in Messaging Service {name}'s sender pool, so sends "
                "go from a number the service picks. Add it to the pool, or clear the Phone "
                "Number.",
            )
        count = len(pool)
        senders = f"{count} number{'s' if count != 1 else ''}"
        return SenderCheck(
            True,
            f"Messaging Service {name} found with {senders} in its pool"
            + (f", including {display(phone)}." if phone else "."),
            in_pool=bool(phone),
        )
    number = find_number(client, phone)
    if number is None:
        return SenderCheck(
            False,
            f"{display(phone)} is not a number on this Twilio account. Check the Phone Number, "
            "or buy or port it under Phone Numbers → Manage in the Twilio Console.",
        )
    capabilities = number.capabilities or {}
    if capabilities.get("sms") is False:
        return SenderCheck(
            False,
            f"{display(phone)} is on this Twilio account but cannot send SMS. Choose an "
            "SMS-capable number.",
        )
    return SenderCheck(True, f"{display(phone)} is a number on this Twilio account.")


def reply_route(client: Client, credentials: ProviderCredentials) -> ReplyRoute | WebhookStatus:
    """Where this account's replies are configured, or a WebhookStatus saying why it is not
    known (a missing service or number)."""
    if credentials.messaging_service_sid:
        service = fetch_service(client, credentials.messaging_service_sid)
        if service is None:
            return WebhookStatus(
                WebhookWiring.UNKNOWN,
                f"Messaging Service {credentials.messaging_service_sid} was not found on this "
                "Twilio account.",
            )
        return ReplyRoute(service=service)
    number = find_number(client, credentials.phone_number)
    if number is None:
        return WebhookStatus(
            WebhookWiring.UNKNOWN,
            f"{display(credentials.phone_number)} is not a number on this Twilio account.",
        )
    service = service_holding(client, number.sid)
    return ReplyRoute(service=service) if service is not None else ReplyRoute(number=number)


def route_status(route: ReplyRoute, expected_url: str) -> WebhookStatus:
    if route.service is not None:
        service = route.service
        url = service.inbound_request_url or ""
        if not url:
            return WebhookStatus(
                WebhookWiring.NOT_CONNECTED,
                f"{route.name} has no incoming message URL, so replies are dropped.",
            )
        if url != expected_url:
            return WebhookStatus(
                WebhookWiring.ELSEWHERE, f"{route.name} sends replies to {shown_url(url)}."
            )
        if service.use_inbound_webhook_on_number or (service.inbound_method or "POST") != "POST":
            return WebhookStatus(
                WebhookWiring.ELSEWHERE,
                f"{route.name} lets each number's own webhook take replies instead of Nextal's "
                "URL.",
            )
        return WebhookStatus(WebhookWiring.CONNECTED, f"Replies arrive through {route.name}.")
    number = route.number
    if number.sms_application_sid:
        return WebhookStatus(
            WebhookWiring.ELSEWHERE,
            f"TwiML App {number.sms_application_sid} handles {route.name}'s messages. In the "
            "Twilio Console set the number's messaging to Webhook, then connect again.",
        )
    url = number.sms_url or ""
    if not url:
        return WebhookStatus(
            WebhookWiring.NOT_CONNECTED, f"{route.name} has no incoming message URL."
        )
    if url != expected_url or (number.sms_method or "POST") != "POST":
        return WebhookStatus(
            WebhookWiring.ELSEWHERE, f"{route.name} sends replies to {shown_url(url)}."
        )
    return WebhookStatus(WebhookWiring.CONNECTED, f"Replies to {route.name} arrive in Nextal.")


def webhook_status(client: Client, credentials: ProviderCredentials, expected_url: str):
    route = reply_route(client, credentials)
    if isinstance(route, WebhookStatus):
        return route
    return route_status(route, expected_url)


def connect(client: Client, credentials: ProviderCredentials, expected_url: str):
    """Configure the service or the number (only if it differs), then read it back."""
    route = reply_route(client, credentials)
    if isinstance(route, WebhookStatus):
        return route
    before = route_status(route, expected_url)
    if before.state is WebhookWiring.CONNECTED:
        return before
    if route.service is not None:
        was = shown_url(route.service.inbound_request_url) or "none"
        client.messaging.v1.services(route.service.sid).update(
            inbound_request_url=expected_url,
            inbound_method="POST",
            use_inbound_webhook_on_number=False,
        )
        change = f"{route.name}: incoming message URL set to Nextal's (was {was})"
        service = fetch_service(client, route.service.sid)
        after = route_status(ReplyRoute(service=service), expected_url) if service else None
    else:
        if route.number.sms_application_sid:
            return before  # a TwiML App overrides the number's URL; only the Console can fix it
        was = shown_url(route.number.sms_url) or "none"
        client.incoming_phone_numbers(route.number.sid).update(
            sms_url=expected_url, sms_method="POST"
        )
        change = f"{route.name}: incoming message URL set to Nextal's (was {was})"
        number = find_number(client, credentials.phone_number)
        after = route_status(ReplyRoute(number=number), expected_url) if number else None
    if after is None:
        after = WebhookStatus(WebhookWiring.UNKNOWN, "Twilio did not show the change back.")
    return WebhookStatus(after.state, after.detail, changes=(change,))
