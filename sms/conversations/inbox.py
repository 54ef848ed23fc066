"""The SMS inbox: the thread list (filters, search, more rows, polling), one conversation in
its pane, linking an unknown sender to a candidate, and the navigation's unread badge."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from candidates.models import Candidate
from candidates.search import search_candidates
from core.converters import id_or_none
from core.rate_limits import rate_limited, searching
from sms.conversations import queries
from sms.conversations.context import INBOX, conversation_body_context, conversation_context
from sms.conversations.views import NO_CHANGE, bounded_int, htmx_target
from sms.eligibility import SendingBlock
from sms.models import Thread
from sms.optouts import opt_out_for, thread_opt_out, with_standing
from sms.sender_links import latest_link, link_sender
from sms.threads import mark_thread_read

LINK_RESULTS = 8


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

    The version is read with the rows (one query, one snapshot): a later change is caught by
    the next poll.
    """
    list_state = _list_state(request)
    query = list_state["query"]
    threads = queries.inbox_threads(show=list_state["show"], search=query, user=request.user)
    rows, next_cursor = queries.thread_page(
        queries.with_list_extras(threads, request.user),
        after=request.GET.get("after", ""),
        limit=limit or queries.INBOX_PAGE_SIZE,
    )
    if rows:  # read with the rows, in the same query
        version = queries.version_token(rows[0].inbox_latest)
        unread = rows[0].inbox_unread
    else:
        version, unread = queries.inbox_summary(request.user)
    for thread in rows:
        thread.opt_out = thread.is_opted_out  # the row's "Opted out" badge
    return {
        **list_state,
        "threads": rows,
        "next_cursor": next_cursor,
        "filters": [
            (key, label, urlencode(_filter_state(key, query)))
            for key, label in queries.INBOX_FILTERS.items()
        ],
        "inbox_version": version,
        "nav_unread_threads": unread,  # the navigation's badge, counted with the version
        "selected_id": selected.pk if selected is not None else None,
    }


def _pane_context(request, thread: Thread) -> dict:
    """The selected conversation: header (who, number, opt-out) and the component."""
    context = conversation_context(
        user=request.user, candidate=thread.candidate, thread=thread, where=INBOX
    )
    block = context["sending_block"]
    if block is not None and block.kind == SendingBlock.OPTED_OUT:
        context["opt_out"] = block.opt_out
    elif context["form"] is not None:
        context["opt_out"] = None  # the composer's check found no opt-out
    else:
        context["opt_out"] = thread_opt_out(thread)
    context["can_link"] = (
        thread.is_unknown_sender
        and request.user.has_perm("sms.change_thread")
        and request.user.has_perm("candidates.view_candidate")
    )
    if context["can_link"]:
        context["link_results"] = _link_results(thread, "")
    context["can_create_candidate"] = context["can_link"] and request.user.has_perm(
        "candidates.add_candidate"
    )
    # Right after a link (its redirect says so), the pane offers to undo it.
    if request.GET.get("linked") and request.user.has_perm("sms.change_thread"):
        context["undoable_link"] = latest_link(thread)
    context.update(_list_state(request))
    return context


@require_GET
@permission_required("sms.view_inbox", raise_exception=True)
@rate_limited("search", "RATE_LIMIT_SEARCH", method="GET", when=searching)
def inbox(request):
    """The inbox page; with htmx, only the thread list (filter, search) or more rows."""
    listing = _inbox_listing(request)
    if request.htmx and request.GET.get("after"):
        return render(request, "sms/_thread_rows.html", listing)
    if htmx_target(request) == "inbox-threads":
        return render(request, "sms/_inbox_threads.html", listing)
    return render(request, "sms/inbox.html", {**listing, "nav_section": "inbox"})


@require_GET
@permission_required("sms.view_inbox", raise_exception=True)
@rate_limited("search", "RATE_LIMIT_SEARCH", method="GET", when=searching)
def inbox_poll(request):
    """The thread list again if any thread changed since version `v`, else 204."""
    if request.GET.get("v") == queries.inbox_version():
        return HttpResponse(status=NO_CHANGE)
    shown = bounded_int(
        request.GET.get("shown"),
        default=queries.INBOX_PAGE_SIZE,
        low=queries.INBOX_PAGE_SIZE,
        high=queries.INBOX_REFRESH_MAX,
    )
    selected_id = bounded_int(request.GET.get("selected"), default=0, low=0, high=2**62)
    listing = _inbox_listing(request, limit=shown)
    listing["selected_id"] = selected_id
    listing["unread_badge_oob"] = True
    return render(request, "sms/_inbox_threads.html", listing)


@require_GET
@permission_required("sms.view_inbox", raise_exception=True)
def inbox_thread(request, pk):
    """One conversation in the inbox: the pane alone with htmx, else the whole inbox page with
    it selected. Showing it changes nothing: the page then POSTs `inbox_thread_read`."""
    # The number's opt-out and consent on record come with the thread (its header, the composer).
    threads = with_standing(Thread.objects.select_related("candidate", "assigned_to"))
    thread = get_object_or_404(threads, pk=pk)
    pane = _pane_context(request, thread)
    if htmx_target(request) == "inbox-pane":
        pane["selected_id"] = thread.pk
        return render(request, "sms/_inbox_pane.html", pane)
    listing = _inbox_listing(request, selected=thread)
    return render(request, "sms/inbox.html", {**listing, **pane, "nav_section": "inbox"})


@require_GET
@permission_required("sms.view_inbox", raise_exception=True)
def inbox_thread_poll(request, pk):
    """The open inbox conversation's messages if it changed since version `v`, else 204
    (new replies are then marked read by the POST the refreshed body makes)."""
    version = queries.thread_version(thread_id=pk)
    if request.GET.get("v") == version:
        return HttpResponse(status=NO_CHANGE)
    thread = Thread.objects.select_related("candidate").filter(pk=pk).first()
    if thread is None:  # merged into a candidate's thread by "Link to candidate"
        response = HttpResponse(status=NO_CHANGE)
        response["HX-Redirect"] = reverse("sms:inbox")
        return response
    context = conversation_body_context(
        user=request.user,
        candidate=thread.candidate,
        thread=thread,
        where=INBOX,
        since=request.GET.get("since", ""),
    )
    return render(request, "sms/_conversation_body.html", context)


@require_POST
@permission_required("sms.view_inbox", raise_exception=True)
def inbox_thread_read(request, pk):
    """The recruiter has the conversation in front of them: mark it read. With htmx, the answer
    updates the thread's row and the navigation badge out of band."""
    thread = get_object_or_404(Thread.objects.select_related("candidate", "assigned_to"), pk=pk)
    mark_thread_read(thread)
    if not request.htmx:
        return redirect("sms:inbox_thread", pk=thread.pk)
    thread.opt_out = opt_out_for(thread.phone_number)
    context = {
        **_list_state(request),
        "thread": thread,
        "selected_id": thread.pk,
        "nav_unread_threads": queries.unread_thread_count(request.user),
    }
    return render(request, "sms/_thread_read.html", context)


@permission_required("sms.change_thread", raise_exception=True)
@permission_required("candidates.view_candidate", raise_exception=True)
@rate_limited("search", "RATE_LIMIT_SEARCH", method="GET", when=searching)
def link_thread(request, pk):
    """Link an Unknown-sender thread to a candidate: GET searches (search-as-you-type with
    htmx, or the inbox page with results), POST links and opens the candidate's thread."""
    thread = get_object_or_404(Thread.objects.select_related("candidate"), pk=pk)
    if not thread.is_unknown_sender:
        return redirect("sms:inbox_thread", pk=thread.pk)
    if request.method == "POST":
        candidate_id = id_or_none(request.POST.get("candidate"))
        candidate = Candidate.objects.filter(pk=candidate_id).first() if candidate_id else None
        if candidate is None:
            messages.error(request, "Choose the candidate this number belongs to.")
            return redirect("sms:inbox_thread", pk=thread.pk)
        linked, link = link_sender(
            thread, candidate, by=request.user, update_phone=bool(request.POST.get("update_phone"))
        )
        messages.success(request, f"{thread.phone_number} is now linked to {candidate.full_name}.")
        return redirect(reverse("sms:inbox_thread", args=[linked.pk]) + f"?linked={link.pk}")
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
