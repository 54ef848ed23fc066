"""Bidirectional-text controls in names (U+202E RIGHT-TO-LEFT OVERRIDE…) never reach a page."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from candidates.models import Candidate
from tests.factories import CandidateFactory

RLO, PDF, RLI, LRM = "\u202e", "\u202c", "\u2067", "\u200e"


def test_a_name_typed_with_an_override_is_saved_without_it(recruiter_client):
    response = recruiter_client.post(
        reverse("candidates:create"),
        {"first_name": f"Ada{RLO}gpj.exe{PDF}", "last_name": f"{RLI}Lovelace{LRM}"},
    )
    assert response.status_code == 302
    candidate = Candidate.objects.get()
    assert (candidate.first_name, candidate.last_name) == ("Adagpj.exe", "Lovelace")
    page = recruiter_client.get(reverse("candidates:list")).content.decode()
    assert "Adagpj.exe" in page
    assert not any(control in page for control in (RLO, PDF, RLI, LRM))


def test_right_to_left_names_themselves_are_kept(db):
    candidate = CandidateFactory(first_name="ليلى", last_name="כהן")
    candidate.refresh_from_db()
    assert candidate.full_name == "ليلى כהן"


@pytest.mark.django_db
def test_the_migration_cleans_names_saved_before(db):
    candidate = CandidateFactory(first_name="Maya", last_name="Patel")
    Candidate.objects.filter(pk=candidate.pk).update(first_name=f"Ma{RLO}ya")  # as an old row
    migration = importlib.import_module("candidates.migrations.0004_strip_bidi_controls_from_names")
    migration.strip_names(apps, None)
    candidate.refresh_from_db()
    assert candidate.first_name == "Maya"
