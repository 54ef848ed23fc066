"""The configuration panel: Activate, Phone Number, Account SID / Username, Save."""

import pytest
from django.urls import reverse

from integrations.models import AuditEntry, Integration
from tests.fakes.fixtures import CLICKSEND_USERNAME, TWILIO_SID
from tests.helpers.providers import CLICKSEND_PHONE, TWILIO_PHONE

HTMX = {"HTTP_HX_REQUEST": "true"}


def edit_url(kind):
    return reverse("integrations:edit", kwargs={"kind": kind})


def save(client, kind, *, activate=True, phone="", account_id="", **extra):
    data = {"phone_number": phone, "account_id": account_id}
    if activate:
        data["activate"] = "on"
    return client.post(edit_url(kind), data, **extra)


def flashes(response):
    return [str(m) for m in response.context["messages"]]


def test_the_panel_has_the_documented_fields_and_no_secret(administrator_client, twilio_row):
    html = administrator_client.get(edit_url("twilio")).content.decode()

    for label in ("Activate", "Phone Number", "Account SID", "Save"):
        assert label in html
    assert 'type="password"' not in html
    assert 'name="secret"' not in html


def test_clicksend_asks_for_a_username(administrator_client, clicksend_row):
    html = administrator_client.get(edit_url("clicksend")).content.decode()
    assert '<label for="id_account_id">Username</label>' in html


def test_saving_with_activate_switches_providers_and_says_so(
    administrator_client, twilio_row, configured_clicksend, administrator
):
    save(
        administrator_client,
        "clicksend",
        phone=CLICKSEND_PHONE,
        account_id=CLICKSEND_USERNAME,
        follow=True,  # shows (and so consumes) its own message
    )

    response = save(
        administrator_client, "twilio", phone="(202) 555-0143", account_id=TWILIO_SID, follow=True
    )

    assert response.redirect_chain == [(reverse("integrations:list"), 302)]
    assert flashes(response) == [
        "Twilio is now the active SMS provider. ClickSend was deactivated."
    ]
    twilio_row.refresh_from_db()
    assert (twilio_row.is_active, twilio_row.phone_number, twilio_row.account_id) == (
        True,
        TWILIO_PHONE,  # stored as E.164
        TWILIO_SID,
    )
    assert not Integration.objects.get(kind="clicksend").is_active


def test_turning_activate_off_deactivates(administrator_client, configured_twilio):
    save(administrator_client, "twilio", phone=TWILIO_PHONE, account_id=TWILIO_SID, follow=True)

    response = save(
        administrator_client,
        "twilio",
        activate=False,
        phone=TWILIO_PHONE,
        account_id=TWILIO_SID,
        follow=True,
    )

    assert flashes(response) == [
        "Twilio was deactivated. No SMS will be sent until a provider is active."
    ]
    assert not Integration.objects.filter(is_active=True).exists()
    assert 'id="integration-twilio"' in response.content.decode()


def test_the_form_is_prefilled_with_the_current_settings(administrator_client, configured_twilio):
    html = administrator_client.get(edit_url("twilio")).content.decode()
    assert f'value="{TWILIO_PHONE}"' in html
    assert f'value="{TWILIO_SID}"' in html


@pytest.mark.parametrize(
    ("phone", "account_id", "field", "error"),
    [
        ("12345", TWILIO_SID, "phone_number", "too few digits for a +1 number"),
        ("+1 202 555 01431", TWILIO_SID, "phone_number", "too many digits for a +1 number"),
        ("not a phone", TWILIO_SID, "phone_number", "This is not a phone number"),
        (TWILIO_PHONE, "AC123", "account_id", "Enter a valid Account SID"),
        (TWILIO_PHONE, "XX" + "0" * 32, "account_id", "Enter a valid Account SID"),
        (TWILIO_PHONE, "AC" + "g" * 32, "account_id", "Enter a valid Account SID"),
        ("", TWILIO_SID, "phone_number", "before activating"),
        (TWILIO_PHONE, "", "account_id", "Enter the Account SID before activating"),
    ],
)
def test_invalid_settings_show_inline_errors_and_change_nothing(
    administrator_client, twilio_row, phone, account_id, field, error
):
    response = save(administrator_client, "twilio", phone=phone, account_id=account_id)

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert error in form.errors[field][0]
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert 'aria-invalid="true"' in html
    twilio_row.refresh_from_db()
    assert (twilio_row.is_active, twilio_row.phone_number, twilio_row.account_id) == (False, "", "")
    assert not AuditEntry.objects.exists()


def test_a_bad_phone_is_refused_even_without_activating(administrator_client, twilio_row):
    response = save(administrator_client, "twilio", activate=False, phone="555")
    assert list(response.context["form"].errors) == ["phone_number"]


def test_inactive_settings_may_be_incomplete(administrator_client, clicksend_row):
    response = save(administrator_client, "clicksend", activate=False, account_id="ops-team")

    assert response.status_code == 302
    clicksend_row.refresh_from_db()
    assert (clicksend_row.account_id, clicksend_row.phone_number, clicksend_row.is_active) == (
        "ops-team",
        "",
        False,
    )


def test_changing_the_account_sid_clears_the_stale_check(administrator_client, configured_twilio):
    from django.utils import timezone

    configured_twilio.credentials_checked_at = timezone.now()
    configured_twilio.credentials_valid = True
    configured_twilio.save()

    save(administrator_client, "twilio", phone=TWILIO_PHONE, account_id="AC" + "f" * 32)

    configured_twilio.refresh_from_db()
    assert configured_twilio.credentials_valid is None
    assert configured_twilio.credentials_check_message == (
        "Not checked since the Account SID changed."
    )


class TestWithHtmx:
    def test_the_panel_is_an_overlay_fragment(self, administrator_client, twilio_row):
        response = administrator_client.get(edit_url("twilio"), **HTMX)

        html = response.content.decode()
        assert "<html" not in html
        assert 'class="overlay"' in html
        assert 'role="dialog"' in html
        assert f'hx-post="{edit_url("twilio")}"' in html
        assert "data-close-overlay" in html

    def test_without_htmx_it_is_a_full_page(self, administrator_client, twilio_row):
        html = administrator_client.get(edit_url("twilio")).content.decode()
        assert "<html" in html
        assert "hx-post" not in html
        assert 'aria-current="page"' in html  # Administration stays highlighted

    def test_errors_come_back_in_the_overlay(self, administrator_client, twilio_row):
        response = save(administrator_client, "twilio", phone="12", account_id="AC1", **HTMX)

        assert response.status_code == 200  # htmx swaps 2xx only
        html = response.content.decode()
        assert 'class="overlay is-settled"' in html  # replaces the open panel without a fade
        assert "Enter a valid Account SID" in html

    def test_success_reloads_the_page(self, administrator_client, twilio_row):
        response = save(
            administrator_client, "twilio", phone=TWILIO_PHONE, account_id=TWILIO_SID, **HTMX
        )

        assert response["HX-Redirect"] == reverse("integrations:list")
        page = administrator_client.get(reverse("integrations:list"))
        assert "Twilio is now the active SMS provider." in page.content.decode()


@pytest.mark.parametrize(
    ("kind", "typed", "stored", "account_id"),
    [
        # Twilio's help: "the Twilio number in E.164 format, e.g. +15141234567" (possible, and
        # in no range phonenumbers knows as valid: the provider judges its own numbers).
        ("twilio", "+15141234567", "+15141234567", TWILIO_SID),
        ("twilio", TWILIO_PHONE, TWILIO_PHONE, TWILIO_SID),
        ("clicksend", "+61 411 111 111", "+61411111111", CLICKSEND_USERNAME),  # its test number
        ("clicksend", "+1 514 123 4567", "+15141234567", CLICKSEND_USERNAME),
    ],
)
def test_the_seeds_example_sender_numbers_are_accepted_on_the_cards(
    administrator_client, twilio_row, clicksend_row, kind, typed, stored, account_id
):
    response = save(administrator_client, kind, activate=False, phone=typed, account_id=account_id)
    assert response.status_code == 302, response.context["form"].errors
    assert Integration.objects.get(kind=kind).phone_number == stored


def test_a_sender_number_of_the_wrong_length_says_so(administrator_client, twilio_row):
    response = save(
        administrator_client, "twilio", activate=False, phone="+1 514 123", account_id=TWILIO_SID
    )
    assert response.context["form"].errors["phone_number"] == [
        "This has too few digits for a +1 number, e.g. +1 201-555-0123."
    ]
