"""The kanban "Send SMS" sidebar's form: Custom or Template, the picker, the content."""

from datetime import datetime

from django import forms
from django.utils import timezone

from sms.attachments.outgoing import check_upload, staged_file
from sms.media import kinds
from sms.message_templates.forms import TEMPLATE, TemplateOrCustomForm
from sms.message_templates.services import active_templates
from sms.text.rules import MAX_BODY_CHARS


class KanbanSmsForm(TemplateOrCustomForm):
    body = forms.CharField(
        label="Content",
        max_length=MAX_BODY_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Write the message before sending."},
    )
    # When the form was first shown: tells a repeated post from a new message.
    opened_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    # A bulk send may carry one photo or PDF (an MMS to everyone): uploaded with the preview,
    # kept (staged) until the send.
    attachment = forms.FileField(
        label="Attach a photo or PDF",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(kinds.OUTBOUND_TYPES))}),
    )
    staged_attachment = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        upload.sniffed_type = check_upload(upload)
        return upload

    def clean_staged_attachment(self):
        token = self.cleaned_data.get("staged_attachment") or ""
        if not token:
            return None
        staged = staged_file(token)
        if staged is None:
            raise forms.ValidationError("The attachment expired; go back and attach it again.")
        return staged

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = True
        self.fields["template"].label = "Saved template"
        self.fields["body"].widget.attrs.update(
            {"maxlength": MAX_BODY_CHARS, "data-sms-counter": "kanban-sms-counter"}
        )
        if not self.is_bound:
            self.initial.setdefault("opened_at", timezone.now().isoformat())

    @classmethod
    def prefilled_from_template(cls, data, *, user=None, language=""):
        """The no-JS "Use template" button: the same form with the chosen template's text."""
        data = data.copy()
        pk = data.get("template", "")
        template = active_templates(user).filter(pk=pk).first() if pk.isdigit() else None
        if template is not None:
            data["kind"], data["body"] = TEMPLATE, template.body
        return cls(data, user=user, language=language)

    @property
    def opened(self) -> datetime | None:
        return self.cleaned_data.get("opened_at")
