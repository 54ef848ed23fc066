"""The conversation component's endpoints, on the candidate profile and in the inbox: refresh,
"Load earlier", send or schedule, preview, retry and cancel.

Polling endpoints answer 204 (htmx swaps nothing) after one query when nothing changed.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_POST

from candidates.models import Application, Candidate
from core.converters import id_or_none
from core.rate_limits import rate_limited
from core.redirects import safe_next
from sms.conversations import queries
from sms.conversations.context import (
    PROFILE,
    WHERE,
    compose_form,
    conversation_body_context,
    conversation_context,
    conversation_key,
)
from sms.conversations.forms import RescheduleForm
from sms.models import Message, MessageStatus, Thread
from sms.outbox.actions import cancel_scheduled, reschedule, retry_message, undo_cancel
from sms.outbox.queueing import SendRefused, queue_message_once, render_body
from sms.text.segments import counter_label, measure
from sms.threads import card_line

NO_CHANGE = 204


def where_from(request) -> str:
    """Which page the conversation component sits in (its refresh URL differs)."""
    where = (request.POST or request.GET).get("where")
    return where if where in WHERE else PROFILE


def board_application(request, candidate):
    """The kanban card the drawer's composer was opened from (its job fills {{job_title}}), or
    None; only one of this candidate's."""
    pk = id_or_none((request.POST or request.GET).get("application", ""))  # 16a: safe ids
    if pk is None:
        return None
    return Application.objects.filter(pk=pk, candidate=candidate).select_related("job").first()


def htmx_target(request) -> str:
    return (request.htmx.target or "") if request.htmx else ""


def bounded_int(text, *, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(text)))
    except (TypeError, ValueError):
        return default


@require_GET
@permission_required("sms.view_thread", raise_exception=True)
def candidate_poll(request, pk):
    """The profile conversation's messages if they changed since version `v`, else 204."""
    if request.GET.get("v") == queries.thread_version(candidate_id=pk):
        return HttpResponse(status=NO_CHANGE)
    candidate = get_object_or_404(Candidate, pk=pk)
    context = conversation_body_context(
        user=request.user, candidate=candidate, since=request.GET.get("since", ""), mark_read=True
    )
    return render(request, "sms/_conversation_body.html", context)


@require_GET
@permission_required("sms.view_thread", raise_exception=True)
def candidate_thread(request, pk):
    """The candidate's conversation messages (the refreshable part of the component)."""
    candidate = get_object_or_404(Candidate, pk=pk)
    context = conversation_body_context(user=request.user, candidate=candidate)
    return render(request, "sms/_conversation_body.html", context)


@require_GET
@permission_required("sms.view_thread", raise_exception=True)
def thread_messages(request, pk):
    """ "Load earlier": the messages before the `before` cursor, and the next such button."""
    thread = get_object_or_404(Thread.objects.select_related("candidate"), pk=pk)
    sms_messages, has_earlier = queries.conversation_messages(
        thread, before=request.GET.get("before", "")
    )
    where = where_from(request)
    context = {
        "key": conversation_key(candidate=thread.candidate, thread=thread),
        "sms_messages": sms_messages,
        "has_earlier": has_earlier,
        "thread": thread,
        "candidate": thread.candidate,
        "where": where,
        "return_url": (
            reverse("candidates:detail", args=[thread.candidate_id])
            if where == PROFILE and thread.candidate_id
            else reverse("sms:inbox_thread", args=[thread.pk])
        ),
        "can_act": request.user.has_perm("sms.send_sms"),
    }
    return render(request, "sms/_messages_earlier.html", context)


def _render_conversation(request, candidate, card_updates=None, **context):
    where = where_from(request)
    thread = Thread.objects.filter(candidate=candidate).first()
    context = conversation_context(
        user=request.user, candidate=candidate, thread=thread, where=where, **context
    )
    context["card_updates"] = card_updates
    return render(request, "sms/_conversation.html", context)


def sent_notice(candidate, message) -> tuple[str, str]:
    """(notice, refused) after queueing: what actually happened, not "it is being sent" for a
    send that already failed (without REDIS_URL it ran before this response)."""
    if getattr(message, "hold", None) is not None:
        return message.hold.notice(candidate), ""
    if message.scheduled_for:
        when = date_format(timezone.localtime(message.scheduled_for), "D, M j, H:i")  # no "a.m.."
        return f"Message to {candidate.full_name} scheduled for {when}.", ""
    status = Message.objects.values_list("status", flat=True).get(pk=message.pk)
    if status in (MessageStatus.SENT, MessageStatus.DELIVERED):
        return f"Message to {candidate.full_name} sent.", ""
    if status in (MessageStatus.FAILED, MessageStatus.UNDELIVERED, MessageStatus.UNKNOWN):
        return "", f"The message to {candidate.full_name} did not go out: the reason is under it."
    return f"Message to {candidate.full_name} queued; it is being sent.", ""


@require_POST
@permission_required("sms.send_sms", raise_exception=True)
@rate_limited("sms-send", "RATE_LIMIT_SMS_SEND", method="POST")
def send_to_candidate(request, pk):
    """The composer: Send now or Schedule. With htmx the component is re-rendered in place
    (errors beside their fields, the draft kept); without, a flash message and a redirect."""
    candidate = get_object_or_404(Candidate, pk=pk)
    application = board_application(request, candidate)
    form = compose_form(request.POST, candidate, files=request.FILES, user=request.user)
    refused = notice = ""
    sent = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            message, repeated = queue_message_once(
                candidate,
                data["body"],
                sent_by=request.user,
                opened_at=data["opened_at"],
                job=application.job if application else None,
                template=data["template"],
                scheduled_for=data["scheduled_for"],
                cancel_if_reply=data["cancel_if_reply"],
                attachment=data.get("attachment"),
            )
            sent = message
        except SendRefused as refusal:
            if refusal.field:
                form.add_error(refusal.field, refusal.reason)
            else:
                refused = refusal.reason
        else:
            notice, refused = sent_notice(candidate, message)
            if repeated:
                notice = f"This message to {candidate.full_name} was already queued."
            form = None
    if request.htmx:
        extra = {"application": application}
        if sent is not None and application is not None and not sent.scheduled_for:
            # The board's card shows the new last message at once (static/js/kanban_sms.js).
            extra["card_updates"] = {str(application.pk): card_line(sent)}
        return _render_conversation(
            request, candidate, form=form, notice=notice, refused=refused, **extra
        )
    if notice:
        messages.success(request, notice)
    elif sent is not None:
        messages.error(request, refused)
    else:
        errors = [refused] if refused else [e for errs in form.errors.values() for e in errs]
        messages.error(request, " ".join(errors))
    return redirect(safe_next(request, reverse("candidates:detail", args=[candidate.pk])))


@require_POST
@permission_required("sms.send_sms", raise_exception=True)
def compose_preview(request, pk):
    """The message as this candidate would receive it (merge fields filled in), or why not."""
    candidate = get_object_or_404(Candidate, pk=pk)
    application = board_application(request, candidate)
    body = request.POST.get("body", "")
    context = {"candidate": candidate, "uses_merge_fields": "{{" in body}
    if context["uses_merge_fields"]:
        try:
            context["preview"] = render_body(
                candidate, body, sent_by=request.user, job=application.job if application else None
            )
        except SendRefused as refusal:
            context["problem"] = refusal.reason
        else:
            # Counted on the text the candidate receives, not on the merge fields.
            context["counter"] = counter_label(measure(context["preview"]))
    return render(request, "sms/_compose_preview.html", context)


def _message_action(request, pk, action, done: str):
    """Retry or cancel one message, then show its conversation again (or redirect back)."""
    message = get_object_or_404(Message.objects.select_related("thread__candidate"), pk=pk)
    thread = message.thread
    error = ""
    try:
        action(message, by=request.user)
    except SendRefused as refusal:
        error = refusal.reason
    if request.htmx:
        context = conversation_body_context(
            user=request.user,
            candidate=thread.candidate,
            thread=Thread.objects.get(pk=thread.pk),
            where=where_from(request),
            since=request.POST.get("since", ""),
            action_error=error,
            action_message_id=message.pk,
        )
        return render(request, "sms/_conversation_body.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    fallback = (
        reverse("candidates:detail", args=[thread.candidate_id])
        if thread.candidate_id
        else reverse("sms:inbox_thread", args=[thread.pk])
    )
    return redirect(safe_next(request, fallback))


@require_POST
@permission_required("sms.send_sms", raise_exception=True)
@rate_limited("sms-send", "RATE_LIMIT_SMS_SEND", method="POST")
def message_retry(request, pk):
    """Send a failed message again, as a new message (the old one is never resent)."""
    return _message_action(request, pk, retry_message, "Sent again as a new message.")


@require_POST
@permission_required("sms.send_sms", raise_exception=True)
def message_cancel(request, pk):
    """Cancel a scheduled message that has not gone out yet."""
    return _message_action(request, pk, cancel_scheduled, "Scheduled message canceled.")


@require_POST
@permission_required("sms.send_sms", raise_exception=True)
def message_undo_cancel(request, pk):
    """Put a canceled scheduled message back while its time has not come."""
    return _message_action(request, pk, undo_cancel, "The message is scheduled again.")


@require_POST
@permission_required("sms.send_sms", raise_exception=True)
def message_reschedule(request, pk):
    """Edit a scheduled message's text and time (the form under it in "Scheduled and held")."""
    form = RescheduleForm(request.POST)

    def change(message, *, by):
        if not form.is_valid():
            errors = [e for errs in form.errors.values() for e in errs]
            raise SendRefused(" ".join(errors))
        reschedule(
            message, body=form.cleaned_data["body"], scheduled_for=form.cleaned_data["when"], by=by
        )

    return _message_action(request, pk, change, "The scheduled message was changed.")
