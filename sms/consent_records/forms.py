"""Recording consent (how the candidate agreed) or an opt-out a candidate gave by other means."""

from django import forms

from sms.models import CONSENT_RECORDED_BY_STAFF, ConsentSource


class RecordConsentForm(forms.Form):
    source = forms.ChoiceField(
        label="How they agreed",
        choices=[(source.value, source.label) for source in CONSENT_RECORDED_BY_STAFF],
    )
    note = forms.CharField(
        label="Note",
        max_length=500,
        required=False,
        help_text="When and how, e.g. “Said yes on our call on 2 Dec”. Needed for verbal and "
        "written consent.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean(self):
        cleaned = super().clean()
        needs_note = cleaned.get("source") in (ConsentSource.VERBAL, ConsentSource.WRITTEN)
        if needs_note and not (cleaned.get("note") or "").strip():
            self.add_error("note", "Say when and how they agreed: the record must stand alone.")
        return cleaned


class RecordOptOutForm(forms.Form):
    note = forms.CharField(
        label="What they said, and how",
        max_length=500,
        help_text="e.g. “Asked on the phone not to be texted again”.",
        error_messages={"required": "Say how they asked not to be texted."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
