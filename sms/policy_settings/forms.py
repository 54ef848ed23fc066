"""The SMS Settings form: each setting with what it means, checked before it is saved."""

from django import forms

from core.time_zones import zone_choices
from sms.models import SmsPolicy
from sms.text import merge
from sms.text.folding import normalise
from sms.text.segments import measure

POLICY_FIELDS = [
    "quiet_hours_enabled",
    "send_from",
    "send_until",
    "no_sunday_sends",
    "company_time_zone",
    "bulk_cap_per_day",
    "require_consent",
    "confirm_opt_outs",
    "opt_out_confirmation",
    "opt_out_confirmation_fr",
    "help_reply_enabled",
    "help_reply",
    "help_reply_fr",
]
# Words an automatic reply must contain: how to come back, how to stop.
MUST_MENTION = {
    "opt_out_confirmation": ({"start"}, "how to resubscribe (“Reply START”)"),
    "opt_out_confirmation_fr": ({"start", "debut"}, "how to resubscribe (“Répondez START”)"),
    "help_reply": ({"stop"}, "how to opt out (“Reply STOP”)"),
    "help_reply_fr": ({"stop", "arret"}, "how to opt out (“Répondez STOP”)"),
}
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class PolicyForm(forms.Form):
    quiet_hours_enabled = forms.BooleanField(
        label="Hold messages during quiet hours",
        required=False,
        help_text="A message that would reach a candidate outside the sending window, in their "
        "own time zone, waits until it opens. Replies to someone who texted in the last 30 "
        "minutes and test messages are never held.",
    )
    send_from = forms.TimeField(label="Send from", widget=TIME_INPUT)
    send_until = forms.TimeField(
        label="Send until",
        widget=TIME_INPUT,
        help_text="08:00–20:00 is the strictest common US state window (Florida, Oklahoma, "
        "Maryland, Washington), inside the federal 08:00–21:00.",
    )
    no_sunday_sends = forms.BooleanField(label="No texts on Sundays", required=False)
    company_time_zone = forms.ChoiceField(
        label="Company time zone",
        required=False,
        help_text="For candidates whose time zone is neither on their profile nor given by "
        "their phone number.",
    )
    bulk_cap_per_day = forms.IntegerField(
        label="Bulk and automated texts per candidate per 24 hours",
        min_value=1,
        max_value=50,
        help_text="3 is the Florida, Oklahoma and Maryland limit. Conversation replies are "
        "not counted.",
    )
    require_consent = forms.BooleanField(
        label="Require consent before the first SMS",
        required=False,
        help_text="Without consent on record, recruiters are asked to record it (how, and a "
        "note) before texting; bulk sends skip those candidates. A candidate who texted first "
        "has consented to replies.",
    )
    confirm_opt_outs = forms.BooleanField(
        label="Send one opt-out confirmation",
        required=False,
        help_text="Sent within 5 minutes when the provider sends none itself (ClickSend, or an "
        "opt-out in a sentence). Never more than one per opt-out.",
    )
    opt_out_confirmation = forms.CharField(
        label="Opt-out confirmation", max_length=320, widget=forms.Textarea(attrs={"rows": 2})
    )
    opt_out_confirmation_fr = forms.CharField(
        label="Opt-out confirmation in French",
        max_length=320,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Sent when the candidate opted out in French (ARRÊT, « arrêtez de m'écrire »).",
    )
    help_reply_enabled = forms.BooleanField(
        label="Answer HELP, INFO and AIDE",
        required=False,
        help_text="Twilio answers HELP and INFO itself; this answers the rest.",
    )
    help_reply = forms.CharField(
        label="HELP reply",
        max_length=320,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Name the company, a contact and how to opt out.",
    )
    help_reply_fr = forms.CharField(
        label="HELP reply in French", max_length=320, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company_time_zone"].choices = zone_choices("The server's TIME_ZONE")

    @classmethod
    def for_policy(cls, policy: SmsPolicy, data=None):
        return cls(data, initial={name: getattr(policy, name) for name in POLICY_FIELDS})

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("send_from"), cleaned.get("send_until")
        if start and end and start >= end:
            self.add_error("send_until", "Choose a time after “Send from”.")
        for name, (words, what) in MUST_MENTION.items():
            text = cleaned.get(name)
            if not text:
                continue
            unknown = [f for f in merge.used_fields(text) if f != "company_name"]
            if unknown:
                self.add_error(name, "Only {{company_name}} can be filled in here.")
            elif not words & set(normalise(text).split()):
                self.add_error(name, f"Say {what}.")
        return cleaned

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in POLICY_FIELDS}


def segments_note(text: str) -> str:
    """ "1 SMS (GSM-7)" for the page to show under each automatic reply."""
    info = measure(merge.FIELD_PATTERN.sub("Nextal", text or ""))
    plural = "s" if info.segments != 1 else ""
    return f"{info.segments} SMS message{plural} ({info.encoding})"
