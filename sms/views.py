"""Recruiter-facing SMS pages: the inbox, the conversation component's endpoints (refresh, Load
earlier, send or schedule, preview, retry, cancel), linking unknown senders, the unread badge.

Polling endpoints answer 204 (htmx swaps nothing) after one query when nothing changed.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from candidates.models import Candidate
from candidates.search import search_candidates
from nextal.redirects import safe_next
from sms import queries, services
from sms.models import Message, Thread
from sms.templatetags.sms_tags import (
    INBOX,
    PROFILE,
    compose_form,
    conversation_body_context,
    conversation_context,
    conversation_key,
)

LINK_RESULTS = 8
NO_CHANGE = 204


def _where(request) -> str:
    """Which page the conversation component sits in (its refresh URL differs)."""
    return INBOX if (request.POST or request.GET).get("where") == INBOX else PROFILE


def _htmx_target(request) -> str:
    return (request.htmx.target or "") if request.htmx else ""


def _bounded_int(text, *, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(text)))
    except (TypeError, ValueError):
        return default


# --- The inbox ------------------------------------------------------------------------------------


def _list_state(request) -> dict:
    """The list's filter and search, and the query string that keeps them in links."""
    show = request.GET.get("show", "all")
    show = show if show in queries.INBOX_FILTERS else "all"
    query = " ".join(request.GET.get("q", "").split())[:100]
    state = _filter_state(show, query)
    return {"show": show, "query": query, "list_query": urlencode(state), "list_state": state}


def _filter_state(show: str, query: str) -> dict:
    state = {"show": show} if show != "all" else {}
    return {**state, "q": query} if query else state


def _inbox_listing(request, *, selected: Thread | None = None, limit: int | None = None) -> dict:
    """The thread list: filter, search, one window of rows with their opt-out badges.

    The version is read before the rows, so a change in between is caught by the next poll.
    """
    list_state = _list_state(request)
    query = list_state["query"]
    version = queries.inbox_version()
    threads = queries.inbox_threads(show=list_state["show"], search=query)
    rows, next_cursor = queries.thread_page(
        threads,
        after=request.GET.get("after", ""),
        limit=limit or queries.INBOX_PAGE_SIZE,
    )
    opt_outs = queries.opted_out_numbers(thread.phone_number for thread in rows)
    for thread in rows:
        thread.opt_out = opt_outs.get(thread.phone_number)
    return {
        **list_state,
        "threads": rows,
        "next_cursor": next_cursor,
        "filters": [
            (key, label, urlencode(_filter_state(key, query)))
            for key, label in queries.INBOX_FILTERS.items()
        ],
        "inbox_version": version,
        "selected_id": selected.pk if selected is not None else None,
    }


def _pane_context(request, thread: Thread) -> dict:
    """The selected conversation: header (who, number, opt-out) and the component."""
    context = conversation_context(
        user=request.user, candidate=thread.candidate, thread=thread, where=INBOX
    )
    block = context["sending_block"]
    if block is not None and block.kind == services.SendingBlock.OPTED_OUT:
        context["opt_out"] = block.opt_out
    elif context["form"] is not None:
        context["opt_out"] = None  # the composer's check found no opt-out
    else:
        context["opt_out"] = services.opt_out_for(thread.phone_number)
    context["can_link"] = (
        thread.is_unknown_sender
        and request.user.has_perm("sms.change_thread")
        and request.user.has_perm("candidates.view_candidate")
    )
    if context["can_link"]:
        context["link_results"] = _link_results(thread, "")
    context.update(_list_state(request))
    return context


@require_GET
@permission_required("sms.view_inbox", raise_exception=True)
def inbox(request):
    """The inbox page; with htmx, only the thread list (filter, search) or more rows."""
    listing = _inbox_listing(request)
    if request.htmx and request.GET.get("after"):
        return render(request, "sms/_thread_rows.html", listing)
    if _htmx_target(request) == "inbox-threads":
        return render(request, "sms/_inbox_threads.html", listing)
    return render(request, "sms/inbox.html", {**listing, "nav_section": "inbox"})


@require_GET
@permission_required("sms.view_inbox", raise_exception=True)
def inbox_poll(request):
    """The thread list again if any thread changed since version `v`, else 204."""
    if request.GET.get("v") == queries.inbox_version():
        return HttpResponse(status=NO_CHANGE)
    shown = _bounded_int(
        request.GET.get("shown"),
        default=queries.INBOX_PAGE_SIZE,
        low=queries.INBOX_PAGE_SIZE,
        high=queries.INBOX_REFRESH_MAX,
    )
    selected_id = _bounded_int(request.GET.get("selected"), default=0, low=0, high=2**62)
    listing = _inbox_listing(request, limit=shown)
    listing["selected_id"] = selected_id
    listing["unread_badge_oob"] = True
    listing["nav_unread_threads"] = queries.unread_thread_count()
    return render(request, "sms/_inbox_threads.html", listing)


@require_GET
@permission_required("sms.view_inbox", raise_exception=True)
def inbox_thread(request, pk):
    """One conversation in the inbox (opening it marks it read): the pane alone with htmx,
    else the whole inbox page with it selected."""
    thread = get_object_or_404(Thread.objects.select_related("candidate"), pk=pk)
    services.mark_thread_read(thread)
    pane = _pane_context(request, thread)
    if _htmx_target(request) == "inbox-pane":
        thread.opt_out = pane["opt_out"]
        pane.update(
            {
                "unread_badge_oob": True,
                "nav_unread_threads": queries.unread_thread_count(),
                "selected_id": thread.pk,
            }
        )
        return render(request, "sms/_inbox_pane.html", pane)
    listing = _inbox_listing(request, selected=thread)
    return render(request, "sms/inbox.html", {**listing, **pane, "nav_section": "inbox"})


@require_GET
@permission_required("sms.view_inbox", raise_exception=True)
def inbox_thread_poll(request, pk):
    """The open inbox conversation's messages if it changed since version `v`, else 204.
    New messages the recruiter is looking at count as read."""
    version = queries.thread_version(thread_id=pk)
    if request.GET.get("v") == version:
        return HttpResponse(status=NO_CHANGE)
    thread = Thread.objects.select_related("candidate").filter(pk=pk).first()
    if thread is None:  # merged into a candidate's thread by "Link to candidate"
        response = HttpResponse(status=NO_CHANGE)
        response["HX-Redirect"] = reverse("sms:inbox")
        return response
    marked_read = bool(thread.unread_count)
    services.mark_thread_read(thread)
    context = conversation_body_context(
        user=request.user,
        candidate=thread.candidate,
        thread=thread,
        where=INBOX,
        since=request.GET.get("since", ""),
    )
    if marked_read:
        context["unread_badge_oob"] = True
        context["nav_unread_threads"] = queries.unread_thread_count()
    return render(request, "sms/_conversation_body.html", context)


# --- Conversation endpoints -----------------------------------------------------------------------


@require_GET
@permission_required("sms.view_thread", raise_exception=True)
def candidate_poll(request, pk):
    """The profile conversation's messages if they changed since version `v`, else 204."""
    if request.GET.get("v") == queries.thread_version(candidate_id=pk):
        return HttpResponse(status=NO_CHANGE)
    candidate = get_object_or_404(Candidate, pk=pk)
    context = conversation_body_context(
        user=request.user, candidate=candidate, since=request.GET.get("since", "")
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
    where = _where(request)
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


def _render_conversation(request, candidate, **context):
    where = _where(request)
    thread = Thread.objects.filter(candidate=candidate).first()
    return render(
        request,
        "sms/_conversation.html",
        conversation_context(
            user=request.user, candidate=candidate, thread=thread, where=where, **context
        ),
    )


@require_POST
@permission_required("sms.send_sms", raise_exception=True)
def send_to_candidate(request, pk):
    """The composer: Send now or Schedule. With htmx the component is re-rendered in place
    (errors beside their fields, the draft kept); without, a flash message and a redirect."""
    candidate = get_object_or_404(Candidate, pk=pk)
    form = compose_form(request.POST, candidate)
    refused = notice = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            message = services.queue_message(
                candidate,
                data["body"],
                sent_by=request.user,
                template=data["template"],
                scheduled_for=data["scheduled_for"],
            )
        except services.SendRefused as refusal:
            if refusal.field:
                form.add_error(refusal.field, refusal.reason)
            else:
                refused = refusal.reason
        else:
            if message.scheduled_for:
                when = date_format(timezone.localtime(message.scheduled_for), "DATETIME_FORMAT")
                notice = f"Message to {candidate.full_name} scheduled for {when}."
            else:
                notice = f"Message to {candidate.full_name} queued; it is being sent."
            form = None
    if request.htmx:
        return _render_conversation(request, candidate, form=form, notice=notice, refused=refused)
    if notice:
        messages.success(request, notice)
    else:
        errors = [refused] if refused else [e for errs in form.errors.values() for e in errs]
        messages.error(request, " ".join(errors))
    return redirect(safe_next(request, reverse("candidates:detail", args=[candidate.pk])))


@require_POST
@permission_required("sms.send_sms", raise_exception=True)
def compose_preview(request, pk):
    """The message as this candidate would receive it (merge fields filled in), or why not."""
    candidate = get_object_or_404(Candidate, pk=pk)
    body = request.POST.get("body", "")
    context = {"candidate": candidate, "uses_merge_fields": "{{" in body}
    if context["uses_merge_fields"]:
        try:
            context["preview"] = services.render_body(candidate, body, sent_by=request.user)
        except services.SendRefused as refusal:
            context["problem"] = refusal.reason
    return render(request, "sms/_compose_preview.html", context)


def _message_action(request, pk, action, done: str):
    """Retry or cancel one message, then show its conversation again (or redirect back)."""
    message = get_object_or_404(Message.objects.select_related("thread__candidate"), pk=pk)
    thread = message.thread
    error = ""
    try:
        action(message, by=request.user)
    except services.SendRefused as refusal:
        error = refusal.reason
    if request.htmx:
        context = conversation_body_context(
            user=request.user,
            candidate=thread.candidate,
            thread=Thread.objects.get(pk=thread.pk),
            where=_where(request),
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
def message_retry(request, pk):
    """Send a failed message again, as a new message (the old one is never resent)."""
    return _message_action(request, pk, services.retry_message, "Sent again as a new message.")


@require_POST
@permission_required("sms.send_sms", raise_exception=True)
def message_cancel(request, pk):
    """Cancel a scheduled message that has not gone out yet."""
    return _message_action(request, pk, services.cancel_scheduled, "Scheduled message canceled.")


# --- Unknown senders ------------------------------------------------------------------------------


@permission_required("sms.change_thread", raise_exception=True)
@permission_required("candidates.view_candidate", raise_exception=True)
def link_thread(request, pk):
    """Link an Unknown-sender thread to a candidate: GET searches (search-as-you-type with
    htmx, or the inbox page with results), POST links and opens the candidate's thread."""
    thread = get_object_or_404(Thread.objects.select_related("candidate"), pk=pk)
    if not thread.is_unknown_sender:
        return redirect("sms:inbox_thread", pk=thread.pk)
    if request.method == "POST":
        candidate = Candidate.objects.filter(pk=request.POST.get("candidate") or 0).first()
        if candidate is None:
            messages.error(request, "Choose the candidate this number belongs to.")
            return redirect("sms:inbox_thread", pk=thread.pk)
        linked = services.link_unknown_sender(thread, candidate)
        messages.success(request, f"{thread.phone_number} is now linked to {candidate.full_name}.")
        return redirect("sms:inbox_thread", pk=linked.pk)
    query = " ".join(request.GET.get("q", "").split())[:100]
    context = {"thread": thread, "query": query, "results": _link_results(thread, query)}
    if request.htmx:
        return render(request, "sms/_link_results.html", context)
    listing = _inbox_listing(request, selected=thread)
    pane = _pane_context(request, thread)
    pane.update({"link_query": query, "link_results": context["results"]})
    return render(request, "sms/inbox.html", {**listing, **pane, "nav_section": "inbox"})


def _link_results(thread: Thread, query: str) -> list[Candidate]:
    """Candidates for the picker: those matching the search, else those with this number."""
    if query:
        candidates = search_candidates(query)
    else:
        candidates = Candidate.objects.filter(phone=thread.phone_number)
    return list(candidates.order_by("last_name", "first_name", "id")[:LINK_RESULTS])


# --- Navigation -----------------------------------------------------------------------------------


@require_GET
@permission_required("sms.view_inbox", raise_exception=True)
def unread_badge(request):
    """The navigation's unread-conversations badge (it refreshes itself)."""
    return render(
        request,
        "sms/_nav_unread_badge.html",
        {"nav_unread_threads": queries.unread_thread_count()},
    )
