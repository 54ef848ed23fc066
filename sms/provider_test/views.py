"""The card's "Send test SMS": the form posts here; htmx polls the outcome here (GET)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.phone import display
from core.rate_limits import rate_limited
from integrations.cards import IntegrationCard
from integrations.models import Integration
from integrations.views import MANAGE, panel
from sms.outbox.queueing import SendRefused
from sms.provider_test.card import TEST_SMS_SECTION
from sms.provider_test.services import latest_test_message, send_test_sms


@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
@rate_limited("sms-send", "RATE_LIMIT_SMS_SEND", method="POST")
def test_sms(request, kind):
    integration = get_object_or_404(Integration, kind=kind)
    to, error = request.POST.get("to", "").strip(), ""
    if request.method == "POST":
        try:
            message = send_test_sms(integration, to, by=request.user)
        except SendRefused as refused:
            error = refused.reason
        else:
            if not request.htmx:
                messages.success(
                    request,
                    f"Test SMS to {display(message.to_number)} queued through {integration}.",
                )
                return redirect(f"{reverse('integrations:list')}#integration-{kind}")
    latest = latest_test_message(integration)
    card = IntegrationCard.for_integration(integration, [(TEST_SMS_SECTION.template, latest)])
    context = {"card": card, "section": latest, "to": to, "error": error}
    if request.htmx:
        template = "_test_sms.html" if request.method == "POST" else "_test_sms_outcome.html"
        return render(request, f"sms/provider_test/{template}", context)
    return panel(
        request,
        TEST_SMS_SECTION.template,
        {**context, "heading": f"Send test SMS with {card.title}"},
    )
