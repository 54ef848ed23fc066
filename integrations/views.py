"""Administration → Integrations: the provider cards and their panels.

Each panel is one view that answers an htmx request with an overlay (rendered into
#overlay-root) and a plain request with a full page, so everything works without JavaScript.
The rules live in `services.py`; these views only parse input, call a service and render.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from integrations import provider_checks, services, webhook_wiring
from integrations.cards import IntegrationCard, describe_change, integration_cards
from integrations.forms import ProviderSecretForm, ProviderSettingsForm, RegenerateTokenForm
from integrations.models import AuditEntry, Integration

MANAGE = "integrations.manage_integrations"
RECENT_CHANGES = 15


@permission_required(MANAGE, raise_exception=True)
@require_GET
def integration_list(request):
    cards = integration_cards()
    recent = AuditEntry.objects.select_related("integration", "actor")[:RECENT_CHANGES]
    return render(
        request,
        "integrations/integration_list.html",
        {
            "cards": cards,
            "any_active": any(card.integration.is_active for card in cards),
            "recent_changes": [(entry, describe_change(entry)) for entry in recent],
            "nav_section": "administration",
        },
    )


@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def edit_settings(request, kind):
    integration = get_object_or_404(Integration, kind=kind)
    card = IntegrationCard.for_integration(integration)
    form = ProviderSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={
            "activate": integration.is_active,
            "phone_number": integration.phone_number,
            "messaging_service_sid": integration.messaging_service_sid,
            "alpha_sender": integration.alpha_sender,
            "account_id": integration.account_id,
        },
        account_id_label=card.account_id_label,
        account_id_help=card.account_id_help,
        messaging_service=card.supports_messaging_service,
        alpha_sender=card.supports_alpha_sender,
    )
    if request.method == "POST" and form.is_valid():
        try:
            change = services.update_settings(integration, **form.cleaned_data, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            level = messages.WARNING if change.deactivated else messages.SUCCESS
            messages.add_message(request, level, change.message)
            return _back_to_list(request)
    return panel(
        request,
        "integrations/_settings_form.html",
        {"card": card, "form": form, "heading": f"{card.title} settings"},
    )


@sensitive_post_parameters("secret")  # never in error reports
@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def edit_secret(request, kind):
    integration = get_object_or_404(Integration, kind=kind)
    card = IntegrationCard.for_integration(integration)
    form = ProviderSecretForm(
        request.POST if request.method == "POST" else None, secret_label=card.secret_label
    )
    if request.method == "POST" and form.is_valid():
        try:
            check = services.update_secret(
                integration, form.cleaned_data["secret"], by=request.user
            )
        except ValidationError as exc:
            form.add_error("secret", exc)
        else:
            if check.valid:
                messages.success(request, f"{card.secret_label} updated. {check.message}")
            else:
                messages.warning(request, f"{card.secret_label} saved. {check.message}")
            return _back_to_list(request)
    return panel(
        request,
        "integrations/_secret_form.html",
        {"card": card, "form": form, "heading": f"{card.title} {card.secret_label}"},
    )


@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def regenerate_webhook_token(request, kind):
    integration = get_object_or_404(Integration, kind=kind)
    card = IntegrationCard.for_integration(integration)
    if not card.uses_webhook_token:
        raise Http404("This provider's webhook URLs carry no token.")
    form = RegenerateTokenForm(
        request.POST if request.method == "POST" else None,
        initial={"reconnect": card.connect_problem is None},
    )
    if request.method == "POST" and form.is_valid():
        services.regenerate_webhook_token(integration, by=request.user)
        text = f"New {card.title} webhook token created: the old webhook URLs no longer work."
        if form.cleaned_data["reconnect"]:
            try:
                status = webhook_wiring.connect_webhooks(integration, by=request.user)
            except ValidationError as exc:
                messages.warning(request, f"{text} {exc.messages[0]}")
            else:
                messages.success(request, f"{text} Webhooks: {status.state.label}.")
        else:
            webhook_wiring.mark_token_changed(integration)
            messages.warning(
                request, f"{text} Connect webhooks, or paste the new URLs into {card.title}."
            )
        return _back_to_list(request)
    return panel(
        request,
        "integrations/_regenerate_form.html",
        {"card": card, "form": form, "heading": "Regenerate webhook token?"},
    )


@permission_required(MANAGE, raise_exception=True)
@require_POST
def connect_webhooks(request, kind):
    """Point the provider's replies and receipts at Nextal (idempotent, audited)."""
    integration = get_object_or_404(Integration, kind=kind)
    name = integration.get_kind_display()
    try:
        status = webhook_wiring.connect_webhooks(integration, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        level = messages.SUCCESS if status.state == "connected" else messages.WARNING
        changed = "; ".join(status.changes) + "." if status.changes else "Nothing needed changing."
        messages.add_message(
            request, level, f"{name} webhooks: {status.state.label}. {changed} {status.detail}"
        )
    return redirect(f"{reverse('integrations:list')}#integration-{kind}")


@permission_required(MANAGE, raise_exception=True)
@require_POST
def check_now(request, kind):
    """Check credentials, sender and webhooks with the provider now."""
    integration = get_object_or_404(Integration, kind=kind)
    checks = provider_checks.check_provider(integration, by=request.user)
    healthy = (
        checks.credentials.valid
        and checks.sender is not None
        and checks.sender.ok
        and checks.webhooks is not None
        and checks.webhooks.state == "connected"
    )
    level = messages.SUCCESS if healthy else messages.WARNING
    messages.add_message(request, level, f"{integration.get_kind_display()}: {checks.summary}")
    return redirect(f"{reverse('integrations:list')}#integration-{kind}")


def panel(request, panel_template, context):
    context = {**context, "panel_template": panel_template, "nav_section": "administration"}
    page = "integrations/panel_overlay.html" if request.htmx else "integrations/panel_page.html"
    return render(request, page, context)


def _back_to_list(request):
    url = reverse("integrations:list")
    # htmx would swap a redirected page into the overlay; reload the whole page instead.
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
