"""Administration -> Sign-in log (the auth and admin event log) and Sign-in lockouts."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts import lockouts
from accounts.forms import UnlockForm
from accounts.models import AuthEvent, AuthEventKind

EVENTS_PER_PAGE = 50


@require_GET
@permission_required("accounts.view_auth_log", raise_exception=True)
def event_log(request):
    events = AuthEvent.objects.select_related("actor").order_by("-created_at", "-id")
    kind = request.GET.get("kind", "")
    if kind in AuthEventKind.values:
        events = events.filter(kind=kind)
    else:
        kind = ""
    # (PostgreSQL refuses NUL in a query parameter)
    username = " ".join(request.GET.get("user", "").replace("\x00", "").split())[:150]
    if username:
        events = events.filter(username__iexact=username)
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/event_log.html",
        {
            "page": page,
            "kind": kind,
            "username": username,
            "kinds": AuthEventKind.choices,
            "nav_section": "administration",
        },
    )


@require_GET
@permission_required("accounts.unlock_sign_in", raise_exception=True)
def lockout_list(request):
    attempts = list(lockouts.current_lockouts()[:200])
    rows = [{"attempt": a, "until": lockouts.locked_until(a)} for a in attempts]
    return render(
        request,
        "accounts/lockouts.html",
        {"rows": rows, "nav_section": "administration"},
    )


@require_POST
@permission_required("accounts.unlock_sign_in", raise_exception=True)
def unlock(request):
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a locked-out sign-in to unlock.")
        return redirect("accounts:lockouts")
    data = form.cleaned_data
    lockouts.unlock(
        request, username=data["username"], ip_address=data["ip_address"], by=request.user
    )
    messages.success(request, f"{data['username']} can sign in again.")
    return redirect("accounts:lockouts")
