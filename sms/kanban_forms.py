"""The kanban "Send SMS" sidebar's form: Custom or Template, the picker, the content."""

from datetime import datetime

from django import forms
from django.utils import timezone

from sms.services import MAX_BODY_CHARS
from sms.template_services import active_templates

CUSTOM, TEMPLATE = "custom", "template"


class TemplatePicker(forms.Select):
    """Options carry their template's text, so choosing one can prefill the content."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-body"] = instance.body
        return option


class KanbanSmsForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type",
        choices=[(CUSTOM, "Custom"), (TEMPLATE, "Template")],
        initial=CUSTOM,
        widget=forms.RadioSelect,
    )
    template = forms.ModelChoiceField(
        label="Saved template",
        queryset=active_templates(),
        required=False,
        empty_label="Choose a template…",
        widget=TemplatePicker,
    )
    body = forms.CharField(
        label="Content",
        max_length=MAX_BODY_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Write the message before sending."},
    )
    # When the form was first shown: tells a repeated post from a new message.
    opened_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs.update(
            {"maxlength": MAX_BODY_CHARS, "data-sms-counter": "kanban-sms-counter"}
        )
        if not self.is_bound:
            self.initial.setdefault("opened_at", timezone.now().isoformat())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == TEMPLATE:
            if cleaned.get("template") is None and "template" not in self.errors:
                self.add_error("template", "Choose a template, or switch the type to Custom.")
        else:
            cleaned["template"] = None
        return cleaned

    @classmethod
    def prefilled_from_template(cls, data):
        """The no-JS "Use template" button: the same form with the chosen template's text."""
        data = data.copy()
        pk = data.get("template", "")
        template = active_templates().filter(pk=pk).first() if pk.isdigit() else None
        if template is not None:
            data["kind"], data["body"] = TEMPLATE, template.body
        return cls(data)

    @property
    def opened(self) -> datetime | None:
        return self.cleaned_data.get("opened_at")
