"""The credential panel: checked against the (fake) provider before anything is stored."""

import re
import time

import pytest
from django.urls import reverse
from django.views.debug import SafeExceptionReporterFilter

from integrations.models import AuditEntry, Integration
from integrations.providers.base import CREDENTIAL_CHECK_TIMEOUT
from tests.fakes.fixtures import CLICKSEND_API_KEY, TWILIO_SID, TWILIO_TOKEN

CHECK_READ_TIMEOUT = CREDENTIAL_CHECK_TIMEOUT[1]
STALL_SECONDS = 30  # a provider that answers far later than the check waits
PROVIDERS = {
    # kind: (fixture with settings, the secret the fake accepts, label, fake route)
    "twilio": ("configured_twilio", TWILIO_TOKEN, "Auth Token", "twilio.account"),
    "clicksend": ("configured_clicksend", CLICKSEND_API_KEY, "API Key", "clicksend.account"),
}


def secret_url(kind):
    return reverse("integrations:edit_secret", kwargs={"kind": kind})


@pytest.fixture(params=list(PROVIDERS))
def provider(request):
    fixture, secret, label, route = PROVIDERS[request.param]
    integration = request.getfixturevalue(fixture)
    return integration, secret, label, route


def test_the_panel_has_one_empty_password_field(administrator_client, provider):
    integration, secret, label, _ = provider
    integration.secret = secret
    integration.save()

    html = administrator_client.get(
        secret_url(integration.kind), HTTP_HX_REQUEST="true"
    ).content.decode()

    assert html.count("<input") == 2  # the CSRF token and the secret
    assert f'<label for="id_secret">{label}</label>' in html
    assert 'type="password"' in html
    assert 'autocomplete="new-password"' in html
    assert f"Update {label}</button>" in html
    article = "An" if label[0] in "AEIOU" else "A"
    assert f"{article} {label} ending in" in html  # "An Auth Token", "An API Key"
    assert secret not in html


def test_an_accepted_secret_is_stored(administrator_client, administrator, fake_provider, provider):
    integration, secret, label, route = provider

    response = administrator_client.post(
        secret_url(integration.kind), {"secret": secret}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        f"{label} updated. Accepted by {integration}."
    ]
    integration.refresh_from_db()
    assert integration.secret == secret
    assert integration.secret_last4 == secret[-4:]
    assert integration.secret_updated_by == administrator
    assert integration.secret_updated_at is not None
    assert integration.credentials_valid is True
    checks = fake_provider.requests_for(route)
    assert len(checks) == 1
    assert checks[0].auth == (integration.account_id, secret)
    html = response.content.decode()
    assert f'{label}: set <span class="mono">••••{secret[-4:]}</span>, updated ' in html
    assert "by Alex Admin" in html  # the name, not the username
    assert secret not in html


def test_a_rejected_secret_is_not_stored(administrator_client, fake_provider, provider):
    integration, secret, label, route = provider
    wrong = "wrong-" + secret[6:]

    response = administrator_client.post(secret_url(integration.kind), {"secret": wrong})

    assert response.status_code == 200
    errors = response.context["form"].errors["secret"]
    assert errors == [
        f"Rejected by {integration}: authentication failed. Check the {label} and try again; "
        "nothing was saved."
    ]
    assert len(fake_provider.requests_for(route)) == 1
    integration.refresh_from_db()
    assert integration.secret == ""
    assert integration.secret_last4 == ""
    assert integration.credentials_checked_at is None
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.SECRET_UPDATED).exists()
    assert wrong not in response.content.decode()


def test_an_unreachable_provider_stores_the_secret_as_not_verified(
    administrator_client, settings, closed_port_url, provider
):
    integration, secret, label, _ = provider
    settings.TWILIO_API_BASE_URL = settings.CLICKSEND_API_BASE_URL = closed_port_url

    response = administrator_client.post(
        secret_url(integration.kind), {"secret": secret}, follow=True
    )

    (flash,) = [str(m) for m in response.context["messages"]]
    assert flash == (
        f"{label} saved. Not verified: {integration} could not be reached "
        "(the connection was refused)."
    )
    integration.refresh_from_db()
    assert integration.secret == secret
    assert integration.credentials_valid is None
    html = response.content.decode()
    assert f"{label}: set" in html
    assert f"Not verified: {integration} could not be reached" in html
    assert secret not in html


def test_a_slow_provider_is_not_waited_for(administrator_client, fake_provider, provider):
    integration, secret, _, route = provider
    # The fake answers after 30 s; the check gives up after its read timeout (3 s). Anything
    # well under 30 s proves it did not wait, with room for a loaded machine.
    fake_provider.queue(route, status=200, json={}, delay=STALL_SECONDS)

    started = time.monotonic()
    administrator_client.post(secret_url(integration.kind), {"secret": secret})

    assert time.monotonic() - started < STALL_SECONDS / 2
    integration.refresh_from_db()
    assert integration.secret == secret
    assert integration.credentials_valid is None
    assert integration.credentials_check_message == (
        f"Not verified: {integration} did not answer in time."
    )


def test_an_empty_secret_is_a_field_error(administrator_client, fake_provider, configured_twilio):
    response = administrator_client.post(secret_url("twilio"), {"secret": "   "})

    assert response.context["form"].errors["secret"] == ["Enter the Auth Token."]
    assert fake_provider.requests == []


def test_the_account_sid_must_come_first(administrator_client, fake_provider, twilio_row):
    response = administrator_client.post(secret_url("twilio"), {"secret": TWILIO_TOKEN})

    assert "Save the Account SID first" in response.context["form"].errors["secret"][0]
    assert fake_provider.requests == []
    assert Integration.objects.get(pk=twilio_row.pk).secret == ""


def test_error_reports_hide_the_secret(administrator_client, fake_provider, configured_twilio):
    response = administrator_client.post(secret_url("twilio"), {"secret": TWILIO_TOKEN})

    post = SafeExceptionReporterFilter().get_post_parameters(response.wsgi_request)
    assert post["secret"] != TWILIO_TOKEN
    assert set(post["secret"]) == {"*"}


def test_updating_with_htmx_reloads_the_page(
    administrator_client, fake_provider, configured_twilio
):
    response = administrator_client.post(
        secret_url("twilio"), {"secret": TWILIO_TOKEN}, HTTP_HX_REQUEST="true"
    )

    assert response["HX-Redirect"] == reverse("integrations:list")
    assert TWILIO_TOKEN not in response.content.decode()
    assert Integration.objects.get(pk=configured_twilio.pk).account_id == TWILIO_SID


@pytest.mark.parametrize("secret", ["has a space", "tab\tinside"], ids=["space", "tab"])
def test_a_secret_with_white_space_inside_is_refused_before_any_call(
    administrator_client, fake_provider, configured_twilio, secret
):
    response = administrator_client.post(secret_url("twilio"), {"secret": secret})

    (error,) = response.context["form"].errors["secret"]
    assert re.fullmatch(r"This does not look like an? Auth Token\.", error)
    configured_twilio.refresh_from_db()
    assert not configured_twilio.has_secret
    assert fake_provider.requests == []  # refused before asking Twilio


def test_a_secret_over_200_characters_is_refused_by_the_form_and_the_service(
    administrator_client, administrator, fake_provider, configured_twilio
):
    from django.core.exceptions import ValidationError

    from integrations import services

    response = administrator_client.post(secret_url("twilio"), {"secret": "x" * 201})
    assert response.context["form"].errors["secret"] == [
        "Ensure this value has at most 200 characters (it has 201)."
    ]
    with pytest.raises(ValidationError, match=r"This does not look like an? Auth Token\."):
        services.update_secret(configured_twilio, "x" * 201, by=administrator)
    configured_twilio.refresh_from_db()
    assert not configured_twilio.has_secret
    assert fake_provider.requests == []
