"""Administration → SMS Templates: list, create, edit, duplicate, delete and the Active toggle.

Every page works without JavaScript; with htmx the toggle updates its row in place and delete
asks in a dialog. The rules (copies, switching) live in `sms/message_templates/services.py`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from sms.message_templates.access import (
    can_change,
    can_manage_shared,
    can_use_templates,
    visible_to,
)
from sms.message_templates.forms import SmsTemplateForm
from sms.message_templates.listing import TemplateFilters, filtered_templates, with_usage
from sms.message_templates.services import (
    duplicate_template,
    sample_merge_values,
    sample_preview,
    set_active,
)
from sms.models import SmsTemplate
from sms.text import merge
from sms.text.rules import MAX_BODY_CHARS

TEMPLATES_PER_PAGE = 50
EXCERPT_CHARS = 90


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _row(request, pk):
    row = with_usage(SmsTemplate.objects.filter(pk=pk).select_related("translation_of")).get()
    row.editable = can_change(request.user, row)
    return row


def _changeable(request, pk):
    template = get_object_or_404(SmsTemplate.objects.filter(visible_to(request.user)), pk=pk)
    _require(can_change(request.user, template))
    return template


@login_required
def template_list(request):
    _require(can_use_templates(request.user))
    filters = TemplateFilters(request.GET or None)
    templates = with_usage(
        filtered_templates(filters, user=request.user).select_related("owner", "translation_of")
    )
    page = Paginator(templates.order_by("name", "id"), TEMPLATES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for template in page.object_list:
        template.editable = can_change(request.user, template)
    return render(
        request,
        "sms/templates/template_list.html",
        {
            "page": page,
            "filters": filters,
            "filter_query": filters.query_string(),
            "excerpt_chars": EXCERPT_CHARS,
            "can_manage_shared": can_manage_shared(request.user),
            "nav_section": "administration",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_create(request):
    _require(can_use_templates(request.user))
    return _editor(request, SmsTemplate(created_by=request.user))


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request, pk):
    return _editor(request, _changeable(request, pk))


def _editor(request, template):
    """Create and edit share one page. "Update preview" (the no-JS path) re-renders the form
    with the preview instead of saving; with JS the preview follows every keystroke."""
    creating = template.pk is None
    form = SmsTemplateForm(
        request.POST if request.method == "POST" else None, instance=template, user=request.user
    )
    saving = request.method == "POST" and "preview" not in request.POST
    if saving and form.is_valid():
        try:
            saved = form.save()
        except IntegrityError:
            # Someone saved the same name a moment ago: the unique constraint had the last word.
            form.add_error("name", "A template with this name was just created. Choose another.")
        else:
            verb = "created" if creating else "saved"
            state = "" if saved.is_active else " It is inactive, so recruiters don't see it yet."
            messages.success(request, f"Template “{saved.name}” {verb}.{state}")
            return redirect("sms:template_list")
    body = form["body"].value() or ""
    return render(
        request,
        "sms/templates/template_form.html",
        {
            "form": form,
            "template": None if creating else template,
            "preview": sample_preview(body, request.user),
            "sample_values": sample_merge_values(request.user),
            "merge_fields": [(name, label) for name, (label, _) in merge.FIELDS.items()],
            "missing_reasons": {name: missing for name, (_, missing) in merge.FIELDS.items()},
            "max_body_chars": MAX_BODY_CHARS,
            "nav_section": "administration",
        },
    )


@require_POST
@login_required
def template_duplicate(request, pk):
    original = _changeable(request, pk)
    copy = duplicate_template(original, by=request.user)
    messages.success(
        request,
        f"Copied as “{copy.name}”. The copy is inactive until you switch it on.",
    )
    return redirect("sms:template_edit", pk=copy.pk)


@require_POST
@login_required
def template_set_active(request, pk):
    """The Active switch: a button that posts the state it turns on (`active=1` or `0`)."""
    template = _changeable(request, pk)
    active = request.POST.get("active") == "1"
    set_active(template, active)
    if request.htmx:
        return render(
            request,
            "sms/templates/_template_row.html",
            {"template": _row(request, template.pk), "excerpt_chars": EXCERPT_CHARS},
        )
    state = "active: recruiters can pick it" if active else "inactive: hidden from recruiters"
    messages.success(request, f"“{template.name}” is now {state}.")
    return redirect("sms:template_list")


@login_required
@require_http_methods(["GET", "POST"])
def template_delete(request, pk):
    template = _changeable(request, pk)
    if request.method == "POST":
        name = template.name
        try:
            template.delete()  # sent messages keep their text; their template link is cleared
        except ProtectedError:
            messages.error(
                request,
                f"“{name}” is used by a stage automation: change or delete the automation first.",
            )
        else:
            messages.success(request, f"Template “{name}” deleted.")
        url = reverse("sms:template_list")
        # htmx would swap the list into the dialog; reload the page instead.
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    page = "sms/templates/_delete_dialog.html" if request.htmx else "sms/templates/delete.html"
    return render(request, page, {"template": template, "nav_section": "administration"})
