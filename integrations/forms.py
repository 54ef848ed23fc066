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
        help_text="The number SMS are sent from, with its country code, e.g. +1 202 555 0143.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    account_id = forms.CharField(required=False, max_length=100)

    def __init__(self, *args, account_id_label: str, account_id_help: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account_id"].label = account_id_label
        self.fields["account_id"].help_text = account_id_help
        self.fields["account_id"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false"}
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
