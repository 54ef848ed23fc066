"""Provider webhooks: inbound messages and delivery statuses from Twilio and ClickSend.

One shared base does what every webhook needs (no login, no CSRF, POST only, authenticity check
by the provider's adapter, never a 500 for anything a caller can send, the fast lane past the
site's middleware: `core.fast_lane`) and each endpoint only names its provider, what it parses
and what it answers. An authentic request is stored first
(`events.store_events`: one insert, duplicates ignored) and answered; a task processes it
(`processing`), so nothing acknowledged is lost to an error while recording it. The provider's
settings row is loaded even when it is inactive: a correctly signed reply that arrives after a
switch is still kept.
"""

from __future__ import annotations

import logging
import time
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DataError, IntegrityError, InterfaceError, OperationalError, connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from core.fast_lane import fast_lane
from integrations.models import Integration, ProviderKind
from integrations.providers import provider_for
from integrations.providers.base import SmsProvider, WebhookRejected
from sms.inbound.events import store_events

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'

# A provider's settings row, kept per process for a few seconds: every webhook needs it, and
# loading it (decrypting the secret) was a third of an acknowledgement's work. Saving the row
# drops the copy of the process that saved it at once; other processes use a new token or
# secret within the TTL.
SETTINGS_TTL_SECONDS = 5.0
_settings: dict[str, tuple[Integration, float]] = {}


def provider_settings(kind: str) -> Integration | None:
    cached = _settings.get(kind)
    if cached is not None and cached[1] > time.monotonic():
        return cached[0]
    integration = Integration.objects.filter(kind=kind).first()
    if integration is not None:
        _settings[kind] = (integration, time.monotonic() + SETTINGS_TTL_SECONDS)
    return integration


@receiver(post_save, sender=Integration)
@receiver(post_delete, sender=Integration)
def forget_provider_settings(**kwargs) -> None:
    _settings.clear()


class ProviderWebhook(View):
    provider_kind: ClassVar[str]
    route_name: ClassVar[str]  # what logs name instead of the path
    http_method_names = ["post"]  # anything else: 405

    def post(self, request: HttpRequest, token: str = "") -> HttpResponse:
        integration = provider_settings(self.provider_kind)
        if integration is None:
            return HttpResponse(status=404)
        try:
            provider = provider_for(integration)
            provider.validate_webhook(
                request,
                public_url=settings.PUBLIC_BASE_URL + request.get_full_path(),
                path_token=token,
            )
            events = self.parse(provider, request)
        except WebhookRejected as rejected:
            # The route's name, never the path: ClickSend's carries the secret token.
            logger.warning(
                "Rejected %s webhook (%s): %s", integration, self.route_name, rejected.reason
            )
            return HttpResponse(rejected.reason, status=rejected.status, content_type="text/plain")
        except Exception:
            # Whatever a caller posts must not become a 500 (which providers retry forever).
            logger.exception("Unreadable %s webhook (%s)", integration, self.route_name)
            return HttpResponse("Malformed request.", status=400, content_type="text/plain")
        try:
            self.store(request, events)
        except (DataError, IntegrityError, ValueError, TypeError, UnicodeError):
            # Something in the payload the database refuses: answering 500 would make the
            # provider retry the same body forever.
            logger.exception("Could not store a %s webhook (%s)", integration, self.route_name)
            return HttpResponse("Unrecordable request.", status=400, content_type="text/plain")
        except Exception:
            # The database is down or failed (OperationalError, "disk full"), or anything else:
            # a 5xx so that a provider that retries tries again; nothing was acknowledged.
            logger.exception("Could not store a %s webhook (%s)", integration, self.route_name)
            return HttpResponse("Try again later.", status=503, content_type="text/plain")
        return self.success_response()

    def store(self, request: HttpRequest, events: list) -> None:
        """Store the events; once more on a new connection if the kept one was closed by the
        database since the last request (a restart, a failover): Twilio does not retry an
        inbound webhook that failed. (The insert ignores duplicates: a first attempt that did
        reach the database makes the second a no-op.)"""
        try:
            store_events(self.provider_kind, request.body, events)
        except (OperationalError, InterfaceError):
            if connection.in_atomic_block or (
                connection.connection is not None and connection.is_usable()
            ):
                raise
            logger.warning("Database connection lost; storing a %s webhook again", self.route_name)
            connection.close()
            store_events(self.provider_kind, request.body, events)

    def parse(self, provider: SmsProvider, request: HttpRequest) -> list:
        raise NotImplementedError

    def success_response(self) -> HttpResponse:
        return HttpResponse("OK", content_type="text/plain")


class InboundWebhook(ProviderWebhook):
    def parse(self, provider, request):
        return provider.parse_inbound(request)


class StatusWebhook(ProviderWebhook):
    def parse(self, provider, request):
        return provider.parse_status(request)


class TwilioInbound(InboundWebhook):
    route_name = "twilio_inbound"
    provider_kind = ProviderKind.TWILIO

    def success_response(self):
        # What MessagingResponse() renders: Twilio sends nothing back to the candidate.
        return HttpResponse(EMPTY_TWIML, content_type="text/xml")


class TwilioStatus(StatusWebhook):
    route_name = "twilio_status"
    provider_kind = ProviderKind.TWILIO

    def success_response(self):
        return HttpResponse(status=204)


class ClickSendInbound(InboundWebhook):
    route_name = "clicksend_inbound"
    provider_kind = ProviderKind.CLICKSEND


class ClickSendReceipts(StatusWebhook):
    route_name = "clicksend_receipts"
    provider_kind = ProviderKind.CLICKSEND


def _webhook(view_class: type[ProviderWebhook]):
    return fast_lane(login_not_required(csrf_exempt(view_class.as_view())))


twilio_inbound = _webhook(TwilioInbound)
twilio_status = _webhook(TwilioStatus)
clicksend_inbound = _webhook(ClickSendInbound)
clicksend_receipts = _webhook(ClickSendReceipts)
