"""Forms of the Integrations page. They only collect input; `services.py` validates the rules."""

from django import forms


class ProviderSettingsForm(forms.Form):
    """The configuration panel. Deliberately has no secret field."""

    activate = forms.BooleanField(
        label="Activate", required=False, widget=forms.CheckboxInput(attrs={"autofocus": True})
    )
    phone_number = forms.CharField(
        label="Phone Number",
        required=False,
        max_length=32,
        help_text="The number SMS are sent from and replies come back to, with its country "
        "code, e.g. +1 202 555 0143.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    messaging_service_sid = forms.CharField(
        label="Messaging Service SID",
        required=False,
        max_length=40,
        help_text="Optional. Starts with MG (Messaging → Services in the Twilio Console). When "
        "set, the service's sender pool picks the number each SMS is sent from; US A2P 10DLC "
        "campaigns live on Messaging Services.",
    )
    alpha_sender = forms.CharField(
        label="Sender ID",
        required=False,
        max_length=20,
        help_text="Optional, instead of a Phone Number: an alphanumeric sender ID approved by "
        "ClickSend (3–11 letters or digits, at least one letter). Candidates cannot reply to "
        "it, and US and Canadian numbers cannot be texted from it.",
    )
    account_id = forms.CharField(required=False, max_length=100)

    def __init__(
        self,
        *args,
        account_id_label: str,
        account_id_help: str = "",
        messaging_service: bool = False,
        alpha_sender: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["account_id"].label = account_id_label
        self.fields["account_id"].help_text = account_id_help
        for name in ("account_id", "messaging_service_sid", "alpha_sender"):
            self.fields[name].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        # Only the senders this provider has.
        if not messaging_service:
            del self.fields["messaging_service_sid"]
        if not alpha_sender:
            del self.fields["alpha_sender"]


class RegenerateTokenForm(forms.Form):
    reconnect = forms.BooleanField(
        label="Update the webhook rules at the provider now (Connect webhooks)",
        required=False,
        initial=True,
    )


class ProviderSecretForm(forms.Form):
    """The credential panel: one password field, never pre-filled, never echoed back."""

    secret = forms.CharField(
        strip=True,
        max_length=200,
        widget=forms.PasswordInput(
            render_value=False,
            attrs={"autocomplete": "new-password", "spellcheck": "false", "autofocus": True},
        ),
    )

    def __init__(self, *args, secret_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["secret"].label = secret_label
        self.fields["secret"].error_messages["required"] = f"Enter the {secret_label}."
