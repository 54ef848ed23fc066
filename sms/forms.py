"""The conversation composer: Custom or Template, the message, Send now or Schedule."""

from datetime import timedelta

from django import forms
from django.forms.models import ModelChoiceIteratorValue
from django.utils import timezone
from django.utils.formats import date_format

from sms.models import SmsTemplate
from sms.services import MAX_BODY_CHARS

CUSTOM, TEMPLATE = "custom", "template"
SEND_NOW, SCHEDULE = "send", "schedule"
# How far ahead a message may be scheduled; further is almost certainly a typo in the year.
MAX_SCHEDULE_AHEAD = timedelta(days=365)
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class TemplateSelect(forms.Select):
    """A template picker whose options carry the template body, so the composer can prefill it."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value and hasattr(value, "instance"):
            option["attrs"]["data-body"] = value.instance.body
        return option


class ComposeForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type",
        choices=[(CUSTOM, "Custom"), (TEMPLATE, "Template")],
        initial=CUSTOM,
        required=False,  # Custom when absent
        widget=forms.RadioSelect,
    )
    template = forms.ModelChoiceField(
        label="Which template",
        queryset=SmsTemplate.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label="Choose a template…",
        widget=TemplateSelect(attrs={"data-sms-template-picker": ""}),
    )
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
    action = forms.ChoiceField(
        choices=[(SEND_NOW, "Send now"), (SCHEDULE, "Schedule")], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The picker's options from one query (a ModelChoiceField would query again to render),
        # and whether there is anything to pick at all.
        field = self.fields["template"]
        templates = list(field.queryset)
        field.choices = [("", field.empty_label)] + [
            (ModelChoiceIteratorValue(template.pk, template), template.name)
            for template in templates
        ]
        self.has_templates = bool(templates)

    @property
    def schedules(self) -> bool:
        return self.data.get("action") == SCHEDULE

    def clean_scheduled_for(self):
        when = self.cleaned_data.get("scheduled_for")
        if not self.schedules:
            return None
        if when is None:
            raise forms.ValidationError("Choose the date and time to send it.")
        now = timezone.now()
        if when <= now:
            current = date_format(timezone.localtime(now), "DATETIME_FORMAT")
            raise forms.ValidationError(f"Choose a time in the future (it is now {current}).")
        if when > now + MAX_SCHEDULE_AHEAD:
            raise forms.ValidationError("Choose a time within the next 12 months.")
        return when

    def clean(self):
        cleaned = super().clean()
        template = cleaned.get("template")
        if cleaned.get("kind") == TEMPLATE:
            if template is None and "template" not in self.errors:
                self.add_error("template", "Choose a template, or switch the type to Custom.")
            elif template is not None and not (cleaned.get("body") or "").strip():
                cleaned["body"] = template.body
        else:
            cleaned["template"] = None
        if not (cleaned.get("body") or "").strip() and "body" not in self.errors:
            self.add_error("body", "Write a message before sending.")
        return cleaned
