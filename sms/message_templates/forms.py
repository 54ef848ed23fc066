"""The SMS template editor's form, and the template picker every composer uses."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIteratorValue

from sms.message_templates.access import can_manage_shared, visible_to
from sms.message_templates.services import active_templates
from sms.models import DEFAULT_TEMPLATE_LANGUAGE, SmsTemplate, TemplateGroup
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


def picker_label(template) -> str:
    """ "Interview invite", "Invitation (French)", "My nudge · personal" """
    label = template.name
    if template.language != DEFAULT_TEMPLATE_LANGUAGE:
        label += f" ({template.get_language_display()})"
    if template.owner_id is not None:
        label += " · personal"
    return label


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

    def __init__(self, *args, user=None, language: str = "", **kwargs):
        """`user`: whose personal templates are offered too; `language`: the candidate's
        preferred one, whose templates come first."""
        super().__init__(*args, **kwargs)
        field = self.fields["template"]
        field.queryset = active_templates(user, language)
        templates = list(field.queryset)
        field.choices = [("", field.empty_label)] + [
            (ModelChoiceIteratorValue(template.pk, template), picker_label(template))
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
    personal = forms.BooleanField(
        label="Personal",
        required=False,
        help_text="Only you see a personal template; shared ones are offered to everyone.",
    )

    class Meta:
        model = SmsTemplate
        fields = ["name", "body", "group", "language", "translation_of", "is_active"]
        labels = {"name": "Name", "body": "Message", "is_active": "Active"}
        help_texts = {
            "name": "What recruiters see in the template picker.",
            "is_active": "Only active templates appear in recruiters' template pickers.",
            "translation_of": "Makes this a version of that template in another language: bulk "
            "and automated sends pick the candidate's preferred language.",
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "off"}),
            "body": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Older forms and API clients post neither: the defaults (Candidate, English) apply.
        self.fields["group"].required = self.fields["language"].required = False
        originals = SmsTemplate.objects.filter(translation_of__isnull=True).filter(visible_to(user))
        if self.instance.pk:
            originals = originals.exclude(pk=self.instance.pk)
        field = self.fields["translation_of"]
        field.queryset = originals.order_by("name")
        field.empty_label = "Not a translation"
        field.label_from_instance = lambda t: f"{t.name} ({t.get_language_display()})"
        if self.instance.pk:
            # A template that has translations is their original: it cannot become one.
            if self.instance.translations.exists():
                del self.fields["translation_of"]
            del self.fields["personal"]  # visibility is chosen once, when it is created
        elif user is None or not can_manage_shared(user):
            del self.fields["personal"]  # recruiters' templates are always personal
        self.fields[
            "body"
        ].help_text = (
            f"Merge fields: {field_list()}. Blanks the sender fills in: {{interview time}}."
        )
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

    def clean_group(self):
        return self.cleaned_data.get("group") or TemplateGroup.CANDIDATE

    def clean_language(self):
        return self.cleaned_data.get("language") or DEFAULT_TEMPLATE_LANGUAGE

    def clean(self):
        cleaned = super().clean()
        original = cleaned.get("translation_of")
        language = cleaned.get("language")
        if original is not None and language:
            if original.language == language:
                self.add_error(
                    "language",
                    f"“{original.name}” is already in {original.get_language_display()}: "
                    "choose the language of this version.",
                )
            clash = original.translations.filter(language=language)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error(
                    "language",
                    f"“{original.name}” already has a version in this language "
                    f"(“{clash.first().name}”).",
                )
        return cleaned

    def save(self, commit=True):
        template = super().save(commit=False)
        if template._state.adding and self.user is not None:
            shared = can_manage_shared(self.user) and self.cleaned_data.get("personal") is False
            template.owner = None if shared else self.user
        if commit:
            template.save()
        return template

    def clean_body(self):
        body = self.cleaned_data["body"]
        problems = body_problems(body, template=True)
        if problems:
            raise ValidationError(problems)
        return body
