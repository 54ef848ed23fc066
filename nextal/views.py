"""Project-level pages: the landing redirect, Administration index and a health probe."""

from django.contrib.auth.decorators import login_not_required, permission_required
from django.http import JsonResponse
from django.shortcuts import redirect, render


def home(request):
    """Send each user to the first area they may use."""
    if request.user.has_perm("candidates.view_candidate"):
        return redirect("candidates:list")
    if request.user.has_perm("integrations.manage_integrations"):
        return redirect("integrations:list")
    return render(request, "no_access.html", status=200)


@permission_required("integrations.manage_integrations", raise_exception=True)
def administration(request):
    return redirect("integrations:list")


@login_not_required
def health(request):
    return JsonResponse({"status": "ok"})
