"""Phone numbers on the candidate form: parsed to E.164, invalid ones are field errors, and a
number shared with another candidate is a warning, never an error."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from candidates.models import Candidate
from core.phone import sender_to_e164, to_e164
from tests.factories import CandidateFactory

FORM = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}


def add(client, **fields):
    return client.post(reverse("candidates:create"), {**FORM, **fields})


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("(202) 555-0143", "+12025550143"),
        ("202.555.0143", "+12025550143"),
        ("2025550143", "+12025550143"),
        ("+1 202 555 0143", "+12025550143"),
        ("+44 7911 123456", "+447911123456"),
        ("0044 7911 123456", None),  # "00" is not the US international prefix
    ],
)
def test_it_stores_numbers_as_e164(recruiter_client, typed, stored):
    response = add(recruiter_client, phone=typed)
    if stored is None:
        assert response.status_code == 200
        assert not Candidate.objects.exists()
        return
    candidate = Candidate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("candidates:detail", kwargs={"pk": candidate.pk})
    assert candidate.phone == stored


@override_settings(DEFAULT_PHONE_REGION="GB")
def test_it_reads_national_numbers_in_the_default_region(recruiter_client):
    add(recruiter_client, phone="07911 123456")
    assert Candidate.objects.get().phone == "+447911123456"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("12345", "This has too few digits for a +1 number, e.g. +1 201-555-0123."),
        ("not a number", "This is not a phone number: use digits, e.g. +1 202 555 0143."),
        ("+1 202 555 01439999", "This has too many digits for a +1 number"),
        ("+999 123", "Start with the country code after the +"),
        ("+1 514 123 4567", "+1 514-123-4567 is not a number in use: the length is right"),
    ],
)
def test_it_rejects_invalid_numbers_with_a_field_error(recruiter_client, typed, says):
    response = add(recruiter_client, phone=typed)
    assert response.status_code == 200
    assert not Candidate.objects.exists()
    form = response.context["form"]
    assert list(form.errors) == ["phone"]
    html = response.content.decode()
    assert 'class="errorlist' in html
    assert says in form.errors["phone"][0]
    assert 'aria-invalid="true"' in html


def test_it_allows_a_candidate_without_a_phone(recruiter_client):
    add(recruiter_client, phone="")
    assert Candidate.objects.get().phone == ""


def test_it_shows_clear_errors_for_missing_names(recruiter_client):
    response = recruiter_client.post(reverse("candidates:create"), {"phone": "2025550143"})
    assert set(response.context["form"].errors) == {"first_name", "last_name"}
    assert not Candidate.objects.exists()


def test_it_saves_a_shared_number_and_warns_about_it(recruiter_client):
    grace = CandidateFactory(first_name="Grace", last_name="Hopper", phone="+12025550143")
    response = add(recruiter_client, phone="202-555-0143")
    ada = Candidate.objects.get(first_name="Ada")
    assert ada.phone == grace.phone
    profile = recruiter_client.get(response["Location"]).content.decode()
    assert "This number is also used by" in profile
    assert f'href="{reverse("candidates:detail", kwargs={"pk": grace.pk})}">Grace Hopper</a>' in (
        profile
    )


def test_the_form_warns_while_typing_a_shared_number(recruiter_client):
    grace = CandidateFactory(first_name="Grace", last_name="Hopper", phone="+12025550143")
    response = recruiter_client.get(
        reverse("candidates:phone_check"), {"phone": "(202) 555-0143"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "Also used by" in html
    assert "Grace Hopper" in html
    assert reverse("candidates:detail", kwargs={"pk": grace.pk}) in html


def test_the_warning_ignores_the_candidate_being_edited(recruiter_client):
    grace = CandidateFactory(phone="+12025550143")
    response = recruiter_client.get(
        reverse("candidates:phone_check"), {"phone": "+12025550143", "candidate": grace.pk}
    )
    assert "Also used by" not in response.content.decode()


def test_the_form_shows_the_warning_next_to_other_errors(recruiter_client):
    CandidateFactory(first_name="Grace", last_name="Hopper", phone="+12025550143")
    response = recruiter_client.post(
        reverse("candidates:create"), {"first_name": "Ada", "phone": "2025550143"}
    )
    html = response.content.decode()
    assert list(response.context["form"].errors) == ["last_name"]
    assert "Also used by" in html
    assert "Grace Hopper" in html


def test_the_edit_form_parses_numbers_too(recruiter_client):
    candidate = CandidateFactory(phone="+12025550100")
    url = reverse("candidates:edit", kwargs={"pk": candidate.pk})
    data = {"first_name": candidate.first_name, "last_name": candidate.last_name, "email": ""}
    bad = recruiter_client.post(url, {**data, "phone": "555"})
    assert "phone" in bad.context["form"].errors
    candidate.refresh_from_db()
    assert candidate.phone == "+12025550100"

    recruiter_client.post(url, {**data, "phone": "+44 20 7946 0958"})
    candidate.refresh_from_db()
    assert candidate.phone == "+442079460958"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "12",
        "not a number",
        "+1 202 555 01439999",
        "+999 123",
        "+1 514 123 4567",
        "+44 20",
        "+44 7700 900123",
        "+61 4111",
        "+33 1 23",
    ],
)
def test_every_phone_error_offers_an_example_that_passes_its_own_check(typed):
    """The issue: "Include the country code, e.g. +44 7700 900123" was itself refused."""
    messages = []
    for check in (to_e164, sender_to_e164):
        try:
            check(typed)
        except ValidationError as error:
            messages.append(error.messages[0])
    assert messages  # the strict check refuses every one of them
    for message in messages:
        example = re.search(r"e\.g\. (\+[\d \-]+\d)", message)
        if typed:
            assert example, message
            assert to_e164(example.group(1))  # strict: valid for a candidate too


def test_a_sender_number_only_has_to_be_possible():
    assert sender_to_e164("+1 514 123 4567") == "+15141234567"  # Twilio's own help example
    assert sender_to_e164("+44 7700 900123") == "+447700900123"
    with pytest.raises(ValidationError, match="too few digits"):
        sender_to_e164("+1 514 123")
