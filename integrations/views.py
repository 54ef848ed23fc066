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
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from integrations import services
from integrations.cards import IntegrationCard, describe_change, integration_cards
from integrations.forms import ProviderSecretForm, ProviderSettingsForm
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
            "account_id": integration.account_id,
        },
        account_id_label=card.account_id_label,
        account_id_help=card.account_id_help,
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
    if request.method == "POST":
        services.regenerate_webhook_token(integration, by=request.user)
        messages.success(
            request,
            f"New {card.title} webhook token created. Paste the new webhook URLs into "
            f"{card.title}: the old ones no longer work.",
        )
        return _back_to_list(request)
    return panel(
        request,
        "integrations/_regenerate_form.html",
        {"card": card, "heading": "Regenerate webhook token?"},
    )


def panel(request, panel_template, context):
    context = {**context, "panel_template": panel_template, "nav_section": "administration"}
    page = "integrations/panel_overlay.html" if request.htmx else "integrations/panel_page.html"
    return render(request, page, context)


def _back_to_list(request):
    url = reverse("integrations:list")
    # htmx would swap a redirected page into the overlay; reload the whole page instead.
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
