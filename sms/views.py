"""Recruiter-facing SMS pages: the inbox and templates (stubs until the SMS UI issue) and the
candidate profile's Messages area (send, refresh)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from candidates.models import Candidate
from sms.services import SendRefused, queue_message
from sms.templatetags.sms_tags import messages_area_context, thread_messages_context


@permission_required("sms.view_inbox", raise_exception=True)
def inbox(request):
    return render(request, "placeholder.html", {"title": "Inbox", "nav_section": "inbox"})


@require_POST
@permission_required("sms.send_sms", raise_exception=True)
def send_to_candidate(request, pk):
    """The profile composer's "Send now". With htmx the Messages area is re-rendered in place
    (errors beside the field, the draft kept); without, a flash message and a redirect."""
    candidate = get_object_or_404(Candidate, pk=pk)
    body = request.POST.get("body", "")
    try:
        queue_message(candidate, body, sent_by=request.user)
    except SendRefused as refused:
        if request.htmx:
            context = messages_area_context(
                candidate, request.user, body=body, error=refused.reason
            )
            return render(request, "sms/candidate_messages.html", context)
        messages.error(request, refused.reason)
    else:
        notice = f"Message to {candidate.full_name} queued; it is being sent."
        if request.htmx:
            context = messages_area_context(candidate, request.user, notice=notice)
            return render(request, "sms/candidate_messages.html", context)
        messages.success(request, notice)
    return redirect("candidates:detail", pk=candidate.pk)


@require_GET
@permission_required("sms.view_thread", raise_exception=True)
def candidate_thread(request, pk):
    """The message list alone, polled by the Messages area while messages are in flight."""
    candidate = get_object_or_404(Candidate, pk=pk)
    return render(request, "sms/_thread_messages.html", thread_messages_context(candidate))
