"""A conversation's state from its header: Assigned to, Close / Reopen, Snooze until…, Mark
as unread. Each answers with a redirect back (the pane re-renders)."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from sms.assignment import assign, assignable_users, close, mark_unread, reopen, snooze
from sms.conversations.forms import DATETIME_LOCAL
from sms.models import Thread

SNOOZE_PRESETS = {"1h": "For an hour", "tomorrow": "Until tomorrow 09:00", "week": "For a week"}


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Nobody", label="Assigned to"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_users()
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.username


class SnoozeForm(forms.Form):
    preset = forms.ChoiceField(choices=list(SNOOZE_PRESETS.items()), required=False)
    until = forms.DateTimeField(
        required=False, input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"], label="Until"
    )

    def clean(self):
        data = super().clean()
        now = timezone.localtime()
        preset, until = data.get("preset"), data.get("until")
        if until is None and preset:
            until = {
                "1h": now + timedelta(hours=1),
                "tomorrow": timezone.make_aware(
                    datetime.combine(now.date() + timedelta(days=1), time(9))
                ),
                "week": now + timedelta(days=7),
            }[preset]
        if until is None:
            raise forms.ValidationError("Choose until when.")
        if until <= timezone.now():
            self.add_error("until", "Choose a time in the future.")
        data["until"] = until
        return data


def _back(request, thread):
    return redirect(reverse("sms:inbox_thread", args=[thread.pk]))


@permission_required("sms.view_inbox", raise_exception=True)
def assign_thread(request, pk):
    """GET: the picker (loaded when the header's menu opens, or as a page); POST: assign."""
    thread = get_object_or_404(Thread.objects.select_related("candidate"), pk=pk)
    form = AssignForm(request.POST or None, initial={"assignee": thread.assigned_to_id})
    if request.method == "POST":
        if form.is_valid():
            assignee = form.cleaned_data["assignee"]
            if assign(thread, assignee, by=request.user):
                who = (assignee.get_full_name() or assignee.username) if assignee else "nobody"
                messages.success(request, f"Conversation assigned to {who}.")
            return _back(request, thread)
        messages.error(request, "Choose someone who uses the inbox.")
        return _back(request, thread)
    template = "sms/_assign_form.html" if request.htmx else "sms/assign.html"
    return render(request, template, {"thread": thread, "form": form, "nav_section": "inbox"})


@require_POST
@permission_required("sms.view_inbox", raise_exception=True)
def close_thread(request, pk):
    thread = get_object_or_404(Thread, pk=pk)
    close(thread, by=request.user)
    messages.success(request, "Conversation closed; a reply reopens it.")
    return _back(request, thread)


@require_POST
@permission_required("sms.view_inbox", raise_exception=True)
def reopen_thread(request, pk):
    thread = get_object_or_404(Thread, pk=pk)
    reopen(thread, by=request.user)
    messages.success(request, "Conversation reopened.")
    return _back(request, thread)


@require_POST
@permission_required("sms.view_inbox", raise_exception=True)
def snooze_thread(request, pk):
    thread = get_object_or_404(Thread, pk=pk)
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        errors = [e for errs in form.errors.values() for e in errs]
        messages.error(request, " ".join(errors))
        return _back(request, thread)
    until = form.cleaned_data["until"]
    snooze(thread, until, by=request.user)
    local = timezone.localtime(until)
    messages.success(request, f"Snoozed until {local:%b} {local.day}, {local:%H:%M}.")
    return redirect("sms:inbox")


@require_POST
@permission_required("sms.view_inbox", raise_exception=True)
def mark_thread_unread(request, pk):
    thread = get_object_or_404(Thread, pk=pk)
    mark_unread(thread)
    messages.success(request, "Marked as unread.")
    return redirect("sms:inbox")
