"""What tells a recruiter a reply came: the navigation badge (and through it the tab title and,
when they opt in, a browser notification for replies in Mine), and the reply-alert email
setting."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from sms.conversations import queries
from sms.models import Direction, InboxPreferences, Thread


class InboxPreferencesForm(forms.ModelForm):
    class Meta:
        model = InboxPreferences
        fields = ["reply_alerts", "reply_alert_minutes"]
        widgets = {"reply_alert_minutes": forms.NumberInput(attrs={"min": 1, "max": 1440})}
        help_texts = {
            "reply_alert_minutes": "Sent once per reply, to your email address, when nobody "
            "has answered a candidate's reply in a conversation assigned to you.",
        }

    def clean_reply_alert_minutes(self):
        minutes = self.cleaned_data["reply_alert_minutes"]
        if not 1 <= minutes <= 1440:
            raise forms.ValidationError("Between 1 and 1440 minutes (a day).")
        return minutes


@permission_required("sms.view_inbox", raise_exception=True)
def inbox_settings(request):
    preferences = InboxPreferences.objects.filter(user=request.user).first() or InboxPreferences(
        user=request.user
    )
    form = InboxPreferencesForm(request.POST or None, instance=preferences)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Notification settings saved.")
        return redirect("sms:inbox_settings")
    return render(
        request,
        "sms/inbox_settings.html",
        {"form": form, "has_email": bool(request.user.email), "nav_section": "inbox"},
    )


def latest_mine(user) -> dict | None:
    """The newest unread reply in the user's Mine, for the browser notification."""
    thread = (
        Thread.objects.filter(
            assigned_to=user, unread_count__gt=0, last_message_direction=Direction.INBOUND
        )
        .select_related("candidate")
        .order_by("-last_inbound_at", "-id")
        .first()
    )
    if thread is None or thread.last_inbound_at is None:
        return None
    return {
        "token": queries.version_token(thread.last_inbound_at),
        "who": str(thread.candidate) if thread.candidate_id else thread.phone_number,
        "preview": thread.last_message_preview,
        "thread": thread.pk,
    }


@require_GET
@permission_required("sms.view_inbox", raise_exception=True)
def unread_badge(request):
    """The navigation's unread badge (it refreshes itself), with the newest reply in Mine."""
    return render(
        request,
        "sms/_nav_unread_badge.html",
        {
            "nav_unread_threads": queries.unread_thread_count(request.user),
            "nav_mine_latest": latest_mine(request.user),
            "nav_mine_checked": True,
        },
    )
