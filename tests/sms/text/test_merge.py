"""Merge fields: rendering per candidate, tolerant spacing, unknown and empty fields."""

import pytest

from sms.text import merge
from tests.factories import CandidateFactory, JobFactory, UserFactory


@pytest.fixture
def people(db):
    return (
        CandidateFactory.build(first_name="Grace", last_name="Hopper"),
        JobFactory.build(title="Compiler Engineer"),
        UserFactory.build(first_name="Riley", last_name="Recruiter"),
    )


def test_it_fills_every_field(people, settings):
    settings.COMPANY_NAME = "Acme Talent"
    candidate, job, sender = people
    body = (
        "{{first_name}}/{{last_name}}/{{full_name}}/{{job_title}}/{{recruiter_name}}/"
        "{{company_name}}"
    )
    rendered = merge.render(body, candidate=candidate, job=job, sender=sender)
    assert rendered == "Grace/Hopper/Grace Hopper/Compiler Engineer/Riley Recruiter/Acme Talent"


def test_it_tolerates_spaces_inside_the_braces(people):
    candidate, _, _ = people
    assert merge.render("Hi {{ first_name }}!", candidate=candidate) == "Hi Grace!"
    assert merge.render("Hi {{first_name  }}", candidate=candidate) == "Hi Grace"


def test_it_reports_unknown_fields_once_in_order():
    body = "{{firstname}} {{first_name}} {{ jobtitle }} {{firstname}}"
    assert merge.unknown_fields(body) == ["firstname", "jobtitle"]
    assert merge.unknown_fields("Plain text, {single} braces") == []


def test_a_used_field_without_value_raises_instead_of_leaving_a_gap(people):
    candidate, _, sender = people
    with pytest.raises(merge.MissingMergeValue) as raised:
        merge.render("About {{job_title}}", candidate=candidate, job=None, sender=sender)
    assert raised.value.field == "job_title"
    assert "{{job_title}}" in raised.value.reason

    nameless = UserFactory.build(first_name="", last_name="")
    with pytest.raises(merge.MissingMergeValue, match="recruiter_name"):
        merge.render("From {{recruiter_name}}", candidate=candidate, sender=nameless)


def test_an_unused_missing_value_does_not_matter(people):
    candidate, _, _ = people
    assert merge.render("Hello {{first_name}}", candidate=candidate, job=None) == "Hello Grace"
