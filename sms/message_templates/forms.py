"""The SMS template editor's form, and the template picker every composer uses."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIteratorValue

from sms.message_templates.services import active_templates
from sms.models import SmsTemplate
from sms.text.merge import field_list
from sms.text.rules import MAX_BODY_CHARS, body_problems

CUSTOM, TEMPLATE = "custom", "template"


class TemplatePicker(forms.Select):
    """Options carry their template's text, so choosing one can prefill the message."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-body"] = instance.body
        return option


class TemplateOrCustomForm(forms.Form):
    """A message typed by hand (Custom) or taken from an active template (Template).

    The picker's options come from one query (a ModelChoiceField would query again to render);
    `has_templates` says whether there is anything to pick at all.
    """

    kind = forms.ChoiceField(
        label="Type",
        choices=[(CUSTOM, "Custom"), (TEMPLATE, "Template")],
        initial=CUSTOM,
        required=False,  # Custom when absent
        widget=forms.RadioSelect,
    )
    template = forms.ModelChoiceField(
        label="Template",
        queryset=active_templates(),
        required=False,
        empty_label="Choose a template…",
        widget=TemplatePicker(attrs={"data-sms-template-picker": ""}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["template"]
        templates = list(field.queryset)
        field.choices = [("", field.empty_label)] + [
            (ModelChoiceIteratorValue(template.pk, template), template.name)
            for template in templates
        ]
        self.has_templates = bool(templates)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == TEMPLATE:
            if cleaned.get("template") is None and "template" not in self.errors:
                self.add_error("template", "Choose a template, or switch the type to Custom.")
        else:
            cleaned["template"] = None
        return cleaned


class SmsTemplateForm(forms.ModelForm):
    class Meta:
        model = SmsTemplate
        fields = ["name", "body", "is_active"]
        labels = {"name": "Name", "body": "Message", "is_active": "Active"}
        help_texts = {
            "name": "What recruiters see in the template picker.",
            "is_active": "Only active templates appear in recruiters' template pickers.",
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "off"}),
            "body": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = f"Merge fields: {field_list()}."
        # The browser stops typing at the limit; the server checks it again.
        self.fields["body"].widget.attrs["maxlength"] = MAX_BODY_CHARS

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        # Case-insensitive: "Interview invite" and "interview invite" confuse a picker as much.
        clash = SmsTemplate.objects.filter(name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(
                f"A template named “{name}” already exists. Choose another name.", code="unique"
            )
        return name

    def clean_body(self):
        body = self.cleaned_data["body"]
        problems = body_problems(body, template=True)
        if problems:
            raise ValidationError(problems)
        return body
