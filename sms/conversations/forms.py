"""The conversation composer: Custom or Template, the message, Send now or Schedule."""

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.formats import date_format

from sms.attachments.outgoing import check_upload
from sms.media import kinds
from sms.message_templates.forms import TEMPLATE, TemplateOrCustomForm
from sms.text.rules import EMPTY_BODY, MAX_BODY_CHARS

SEND_NOW, SCHEDULE = "send", "schedule"
# How far ahead a message may be scheduled; further is almost certainly a typo in the year.
MAX_SCHEDULE_AHEAD = timedelta(days=365)
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
CANCEL_IF_REPLY_SHOWN = "cancel_if_reply_shown"


def quick_choice(name: str, now=None) -> datetime:
    """ "Tomorrow 9:00" or "Monday 9:00" (the next Monday, a week on if today is Monday), in the
    recruiter's time zone (the active one: their setting, else TIME_ZONE)."""
    local = timezone.localtime(now)
    if name == "tomorrow-9":
        day = local.date() + timedelta(days=1)
    else:
        day = local.date() + timedelta(days=(7 - local.weekday()) or 7)
    return datetime.combine(day, time(9, 0), tzinfo=timezone.get_current_timezone())


QUICK_CHOICES = {"tomorrow-9": "Tomorrow 9:00", "monday-9": "Monday 9:00"}


class ComposeForm(TemplateOrCustomForm):
    body = forms.CharField(
        label="Message",
        required=False,  # a template's text is used when left empty; checked in clean()
        max_length=MAX_BODY_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    scheduled_for = forms.DateTimeField(
        label="Send at",
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    # When the composer was rendered: tells a repeated post from a new message.
    opened_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    # "Cancel if they reply" (default on): a scheduled or held message is cancelled when the
    # candidate replies first. Forms that do not show the switch keep the default.
    cancel_if_reply = forms.BooleanField(label="Cancel if they reply", required=False)
    action = forms.ChoiceField(
        choices=[(SEND_NOW, "Send now"), (SCHEDULE, "Schedule")], required=False
    )
    attachment = forms.FileField(
        label="Attach a photo or PDF",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(sorted(kinds.OUTBOUND_TYPES)), "data-sms-attachment": ""}
        ),
    )

    def clean_attachment(self):
        """An image (JPEG, PNG, GIF) or a PDF, recognised by its first bytes, at most 5 MB."""
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        upload.sniffed_type = check_upload(upload)
        return upload

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].label = "Which template"
        if not self.is_bound:
            self.initial.setdefault("opened_at", timezone.now().isoformat())
            self.initial.setdefault("cancel_if_reply", True)

    @property
    def schedules(self) -> bool:
        return self.data.get("action") == SCHEDULE or self.data.get("quick") in QUICK_CHOICES

    def clean_scheduled_for(self):
        when = self.cleaned_data.get("scheduled_for")
        if not self.schedules:
            return None
        quick = self.data.get("quick")
        if quick in QUICK_CHOICES:
            when = quick_choice(quick)
        if when is None:
            raise forms.ValidationError("Choose the date and time to send it.")
        now = timezone.now()
        if when <= now:
            current = date_format(timezone.localtime(now), "D, M j, H:i")
            raise forms.ValidationError(f"Choose a time in the future (it is now {current}).")
        if when > now + MAX_SCHEDULE_AHEAD:
            raise forms.ValidationError("Choose a time within the next 12 months.")
        return when

    def clean(self):
        cleaned = super().clean()
        if CANCEL_IF_REPLY_SHOWN not in self.data:
            cleaned["cancel_if_reply"] = True
        template = cleaned.get("template")
        # A template's text is used when the message was left empty.
        empty = not (cleaned.get("body") or "").strip()
        if cleaned.get("kind") == TEMPLATE and template is not None and empty:
            cleaned["body"] = template.body
        has_file = bool(cleaned.get("attachment")) or "attachment" in self.errors
        if not (cleaned.get("body") or "").strip() and "body" not in self.errors and not has_file:
            self.add_error("body", EMPTY_BODY)
        return cleaned


class RescheduleForm(forms.Form):
    """A scheduled message's new text and time (in the recruiter's time zone)."""

    body = forms.CharField(max_length=MAX_BODY_CHARS, error_messages={"required": EMPTY_BODY})
    when = forms.DateTimeField(
        input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S"],
        error_messages={"required": "Choose the date and time to send it."},
    )
