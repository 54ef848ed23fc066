"""The kanban board's "Send SMS": a sidebar for one card, or for every selected card (preview,
then send, then live progress).

With htmx the sidebar opens in #overlay-root and each step replaces its panel; without JavaScript
every step is a full page. The rules live in `sms/kanban/send.py` and `sms/outbox/`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_http_methods

from candidates.models import Application, Job
from core.rate_limits import rate_limited
from sms.attachments.outgoing import stage_upload, staged_file
from sms.eligibility import (
    active_integration,
    attachment_refusal,
    provider_block,
)
from sms.kanban.forms import KanbanSmsForm
from sms.kanban.send import (
    bulk_progress,
    selected_applications,
    selection_ids,
    send_bulk,
    sent_previews,
)
from sms.media import kinds
from sms.models import BulkSend
from sms.outbox.bulk import plan_bulk, unchanged_template
from sms.outbox.queueing import SendRefused
from sms.text.fill_ins import blanks
from sms.text.segments import counter_label, measure

SEND = "sms.send_sms"
PANEL_ID = "kanban-sms-panel"
SKIPPED_SHOWN = 100


def _respond(request, context):
    """The panel alone when htmx swaps a step inside the open sidebar, the sidebar when htmx
    opens it, a page without JavaScript."""
    context = {**context, "panel_id": PANEL_ID, "nav_section": "jobs"}
    form = context.get("form")
    if form is not None and context.get("stage") == "compose" and not context.get("block_reason"):
        # The bulk compose step (a card's drawer holds the conversation composer).
        context["templates_available"] = form.fields["template"].queryset.exists()
        context["body_counter"] = counter_label(measure(form["body"].value() or ""))
    if request.htmx and request.htmx.target == PANEL_ID:
        template = "sms/kanban/_panel.html"
    elif request.htmx:
        template = "sms/kanban/drawer.html"
    else:
        template = "sms/kanban/page.html"
    return render(request, template, context)


def _board_url(job_id, application_id=None) -> str:
    url = reverse("candidates:job_board", args=[job_id])
    return f"{url}#application-{application_id}" if application_id else url


def _refusal_into_form(form, refused: SendRefused) -> None:
    field = getattr(refused, "field", None)
    form.add_error(field if field in form.fields else None, refused.reason)


def _form_for_step(request, step, language=""):
    """The step's form: the user's personal templates offered too, and for one card those in
    the candidate's preferred language first."""
    options = {"user": request.user, "language": language}
    if request.method == "GET" or step == "compose":
        return KanbanSmsForm(**options)
    if step == "use_template":
        return KanbanSmsForm.prefilled_from_template(request.POST, **options)
    return KanbanSmsForm(request.POST, request.FILES, **options)


@permission_required(SEND, raise_exception=True)
@require_GET
def card_send(request, pk):
    """One card's "Send SMS": a drawer holding the conversation component (the composer of the
    profile and the inbox: preview, Schedule, the same "why you can't send"), with
    {{job_title}} the card's job. It posts to the conversation's own endpoints."""
    application = get_object_or_404(Application.objects.select_related("candidate", "job"), pk=pk)
    context = {
        "mode": "card",
        "application": application,
        "candidate": application.candidate,
        "job": application.job,
        "board_url": _board_url(application.job_id, application.pk),
        "stage": "compose",
    }
    return _respond(request, context)


def _previewed_at(value: str):
    """When the preview was shown, or None for anything that is not a real moment
    ("2024-02-30T10:00:00" parses and then raises ValueError)."""
    try:
        moment = parse_datetime(value[:64])
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


@permission_required(SEND, raise_exception=True)
@require_http_methods(["GET", "POST"])
@rate_limited("sms-send", "RATE_LIMIT_SMS_SEND", method="POST")
def bulk_send(request, pk):
    """ "Send SMS to N candidates": compose → preview → send → progress."""
    job = get_object_or_404(Job, pk=pk)
    data = request.POST if request.method == "POST" else request.GET
    applications = selected_applications(
        job,
        selection_ids(data),
        stages=data.getlist("stage"),
        exclude=data.getlist("exclude"),
    )
    step = data.get("step", "compose")
    context = {
        "mode": "bulk",
        "job": job,
        "applications": applications,
        "selection": ",".join(str(application.pk) for application in applications),
        "recipient_count": len(applications),
        "board_url": _board_url(job.pk),
        "stage": "compose",
    }
    if not applications:
        context["block_reason"] = "Select the candidates to text on the board first."
        return _respond(request, context)
    block = provider_block(active_integration())
    context["block_reason"] = block.reason if block else ""
    form = _form_for_step(request, step)
    if context["block_reason"] or step not in ("preview", "send") or not form.is_valid():
        return _respond(request, {**context, "form": form})

    body, template = form.cleaned_data["body"], form.cleaned_data["template"]
    candidates = [application.candidate for application in applications]
    fill_values = {name: data.get(f"fill:{name}", "").strip() for name in blanks(body)}
    context["fill_values"] = list(fill_values.items())
    staged, staged_token = form.cleaned_data.get("staged_attachment"), ""
    try:
        if step == "preview":
            upload = form.cleaned_data.get("attachment")
            if upload:  # kept until the send (a hidden, signed token names it)
                staged_token = stage_upload(upload, upload.sniffed_type)
                staged = staged_file(staged_token)
            elif staged is not None:
                staged_token = request.POST.get("staged_attachment", "")
            refusal = attachment_refusal(active_integration(), staged)
            if refusal:
                raise SendRefused(refusal, field="attachment")
            plan = plan_bulk(
                candidates,
                body,
                sent_by=request.user,
                job=job,
                template=unchanged_template(template, body),
                fill_values=fill_values,
            )
            return _respond(
                request,
                {
                    **context,
                    "form": form,
                    "stage": "preview",
                    "plan": plan,
                    "skipped_shown": plan.skipped[:SKIPPED_SHOWN],
                    "skipped_hidden": max(len(plan.skipped) - SKIPPED_SHOWN, 0),
                    "example": plan.sends[0] if plan.sends else None,
                    "example_counter": counter_label(measure(plan.sends[0][2]))
                    if plan.sends
                    else "",
                    "previewed_at": timezone.now().isoformat(),
                    "staged": staged,
                    "staged_token": staged_token,
                    "staged_kind": kinds.kind_label(staged.sniffed_type).lower() if staged else "",
                },
            )
        queued = send_bulk(
            applications,
            body,
            sent_by=request.user,
            job=job,
            template=template,
            previewed_at=_previewed_at(request.POST.get("previewed_at", "")),
            fill_values=fill_values,
            attachment=staged,
        )
    except SendRefused as refused:
        _refusal_into_form(form, refused)
        return _respond(request, {**context, "form": form})

    progress_url = reverse("sms:bulk_progress", args=[queued.bulk.pk])
    if not request.htmx:
        count = queued.bulk.queued_count
        messages.success(request, f"{count} message{pluralize(count)} queued; they are being sent.")
        return redirect(progress_url)
    return _respond(
        request,
        {
            **context,
            "stage": "progress",
            "progress": bulk_progress(queued.bulk.pk),
            "progress_url": progress_url,
            "card_updates": sent_previews(queued.bulk, applications),
        },
    )


@require_GET
@permission_required(SEND, raise_exception=True)
def bulk_progress_view(request, pk):
    """Counts by status, polled by the sidebar while messages are in flight."""
    try:
        progress = bulk_progress(pk)
    except BulkSend.DoesNotExist:
        raise Http404("No such bulk send.") from None
    context = {
        "progress": progress,
        "progress_url": request.path,
        "board_url": _board_url(progress.bulk.job_id) if progress.bulk.job_id else "",
        "nav_section": "jobs",
    }
    if request.htmx:
        return render(request, "sms/kanban/_progress.html", context)
    return render(request, "sms/kanban/progress_page.html", context)
