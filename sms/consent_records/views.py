"""Recording a candidate's SMS consent or spoken opt-out, and exporting the ledger as CSV.

The forms post plain HTML (no JavaScript needed) and come back to the profile with a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from candidates.models import Candidate
from core.phone import to_e164_or_none
from core.redirects import safe_next
from sms.consent import ConsentRefused, record_consent, record_opt_out
from sms.consent_records.exports import ledger_queryset, ledger_rows
from sms.consent_records.forms import RecordConsentForm, RecordOptOutForm


def _back(request, candidate):
    return redirect(safe_next(request, reverse("candidates:detail", args=[candidate.pk])))


def _errors(form) -> str:
    return " ".join(error for errors in form.errors.values() for error in errors)


@require_POST
@permission_required("sms.add_consentevent", raise_exception=True)
def consent_record(request, pk):
    candidate = get_object_or_404(Candidate, pk=pk)
    form = RecordConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Consent not recorded: {_errors(form)}")
        return _back(request, candidate)
    try:
        record_consent(
            candidate,
            source=form.cleaned_data["source"],
            note=form.cleaned_data["note"],
            by=request.user,
        )
    except ConsentRefused as refused:
        messages.error(request, refused.reason)
    else:
        messages.success(request, f"SMS consent recorded for {candidate.full_name}.")
    return _back(request, candidate)


@require_POST
@permission_required("sms.add_consentevent", raise_exception=True)
def opt_out_record(request, pk):
    candidate = get_object_or_404(Candidate, pk=pk)
    form = RecordOptOutForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Opt-out not recorded: {_errors(form)}")
        return _back(request, candidate)
    try:
        record_opt_out(candidate, note=form.cleaned_data["note"], by=request.user)
    except ConsentRefused as refused:
        messages.error(request, refused.reason)
    else:
        messages.success(request, f"{candidate.full_name} will not be texted any more.")
    return _back(request, candidate)


def _csv(rows, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@permission_required("sms.view_consentevent", raise_exception=True)
def candidate_export(request, pk):
    """The ledger of the candidate's phone number."""
    candidate = get_object_or_404(Candidate, pk=pk)
    number = to_e164_or_none(candidate.phone) if candidate.phone else ""
    events = ledger_queryset(number or "")
    return _csv(ledger_rows(events.iterator()), f"sms-consent-candidate-{candidate.pk}.csv")


@require_GET
@permission_required("sms.manage_sms_policy", raise_exception=True)
def ledger_export(request):
    """The whole ledger, every number (administrators)."""
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    return _csv(ledger_rows(ledger_queryset().iterator()), f"sms-consent-ledger-{stamp}.csv")
