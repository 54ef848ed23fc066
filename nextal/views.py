"""Project-level pages: the landing redirect, Administration index and a health probe."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from core.redirects import safe_next
from core.time_zones import zone_choices
from nextal.middleware import remember_time_zone
from nextal.models import UserPreferences


class TimeZoneForm(forms.ModelForm):
    class Meta:
        model = UserPreferences
        fields = ["time_zone"]
        labels = {"time_zone": "Your time zone"}
        help_texts = {
            "time_zone": "Times on every page, and the times you schedule messages for, are in "
            "this zone."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = timezone.get_default_timezone_name()
        self.fields["time_zone"].widget = forms.Select(
            choices=zone_choices(f"The company default ({default})")
        )


def account_time_zone(request):
    """Your time zone: the user's own, for times and scheduling (default TIME_ZONE)."""
    preferences, _ = UserPreferences.objects.get_or_create(user=request.user)
    form = TimeZoneForm(request.POST or None, instance=preferences)
    if request.method == "POST" and form.is_valid():
        form.save()
        remember_time_zone(request, preferences.time_zone)
        chosen = preferences.time_zone or timezone.get_default_timezone_name()
        messages.success(request, f"Times are now shown in {chosen}.")
        return redirect(safe_next(request, "home"))
    return render(
        request, "account/time_zone.html", {"form": form, "next": request.GET.get("next", "")}
    )


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
