"""The SMS template editor's form: a unique name and a body whose merge fields all exist."""

from django import forms
from django.core.exceptions import ValidationError

from sms.models import SmsTemplate
from sms.services import MAX_BODY_CHARS
from sms.template_services import body_problems, field_list


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
        problems = body_problems(body)
        if problems:
            raise ValidationError(problems)
        return body
