"""Answering an unknown number from its thread: reply (the same composer and rules), create a
candidate prefilled from the conversation, and undo a link."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from candidates.forms import NewCandidateForm
from core.redirects import safe_next
from sms.conversations.context import INBOX, compose_form, conversation_context
from sms.models import Direction, SenderLink, Thread
from sms.outbox.queueing import SendRefused, queue_number_reply
from sms.sender_links import create_candidate_from_thread, undo_link
from sms.text.names import name_from_messages


@require_POST
@permission_required("sms.send_sms", raise_exception=True)
def send_to_thread(request, pk):
    """The composer of an Unknown-sender thread: Send now or Schedule, as for a candidate."""
    thread = get_object_or_404(Thread, pk=pk, candidate__isnull=True)
    form = compose_form(request.POST, None, thread, files=request.FILES)
    refused = notice = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            message = queue_number_reply(
                thread,
                data["body"],
                sent_by=request.user,
                template=data["template"],
                scheduled_for=data["scheduled_for"],
                attachment=data.get("attachment"),
            )
        except SendRefused as refusal:
            if refusal.field:
                form.add_error(refusal.field, refusal.reason)
            else:
                refused = refusal.reason
        else:
            if message.hold is not None:
                notice = f"Message to {thread.phone_number} h{message.hold.describe()[1:]}."
            elif message.scheduled_for:
                when = date_format(timezone.localtime(message.scheduled_for), "DATETIME_FORMAT")
                notice = f"Message to {thread.phone_number} scheduled for {when}."
            else:
                notice = f"Message to {thread.phone_number} queued; it is being sent."
            form = None
    if request.htmx:
        thread.refresh_from_db()
        context = conversation_context(
            user=request.user, thread=thread, where=INBOX, form=form, notice=notice
        )
        context["refused"] = refused
        return render(request, "sms/_conversation.html", context)
    if notice:
        messages.success(request, notice)
    else:
        errors = [refused] if refused else [e for errs in form.errors.values() for e in errs]
        messages.error(request, " ".join(errors))
    return redirect(safe_next(request, reverse("sms:inbox_thread", args=[thread.pk])))


@permission_required("candidates.add_candidate", raise_exception=True)
@permission_required("sms.change_thread", raise_exception=True)
def create_candidate(request, pk):
    """Create candidate from an Unknown-sender thread: the form prefilled with the number and
    a name the texter gave ("this is Maria Lopez"); the thread becomes the candidate's."""
    thread = get_object_or_404(Thread, pk=pk, candidate__isnull=True)
    form = NewCandidateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        candidate, linked, link = create_candidate_from_thread(
            thread,
            by=request.user,
            first_name=data["first_name"],
            last_name=data["last_name"],
            phone=data["phone"] or thread.phone_number,
            email=data["email"],
            time_zone=data["time_zone"],
            owner=data["owner"],
            job=data["job"],
        )
        messages.success(request, f"{candidate.full_name} added; the conversation is theirs.")
        return redirect(reverse("sms:inbox_thread", args=[linked.pk]) + f"?linked={link.pk}")
    if request.method == "GET":
        bodies = thread.messages.filter(direction=Direction.INBOUND).order_by("created_at")
        first, last = name_from_messages(bodies.values_list("body", flat=True)[:20])
        form.initial.update({"phone": thread.phone_number, "first_name": first, "last_name": last})
        form.initial.setdefault("owner", request.user.pk)
    return render(
        request,
        "candidates/candidate_form.html",
        {
            "form": form,
            "candidate": None,
            "nav_section": "inbox",
            "from_thread": thread,
        },
    )


@require_POST
@permission_required("sms.change_thread", raise_exception=True)
def undo_sender_link(request, pk):
    link = get_object_or_404(SenderLink, pk=pk, undone_at__isnull=True)
    unknown = undo_link(link, by=request.user)
    messages.success(request, f"Undone: {link.phone_number} is an unknown sender again.")
    return redirect("sms:inbox_thread", pk=unknown.pk)
