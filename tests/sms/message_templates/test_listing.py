"""The template list's search, filters, usage count and reply rate (in the page's one query),
translations in the editor, and pickers that list the candidate's language first."""

import pytest
from django.urls import reverse

from sms.message_templates.forms import SmsTemplateForm, TemplateOrCustomForm
from sms.models import SmsTemplate
from tests.factories import CandidateFactory
from tests.helpers.messages import add_message

LIST_QUERIES = 7


@pytest.fixture
def library(db, invite):
    french = SmsTemplate.objects.create(
        name="Invitation", body="Bonjour {{first_name}}", language="fr", translation_of=invite
    )
    client_note = SmsTemplate.objects.create(
        name="Client update", body="Two candidates for you", group="client", is_active=False
    )
    return invite, french, client_note


def names(response):
    return [t.name for t in response.context["page"].object_list]


def test_it_searches_and_filters_by_group_language_and_active(administrator_client, library):
    url = reverse("sms:template_list")
    assert names(administrator_client.get(url, {"q": "bonjour"})) == ["Invitation"]
    assert names(administrator_client.get(url, {"group": "client"})) == ["Client update"]
    assert names(administrator_client.get(url, {"language": "fr"})) == ["Invitation"]
    assert names(administrator_client.get(url, {"active": "yes"})) == [
        "Interview invite",
        "Invitation",
    ]
    page = administrator_client.get(url, {"active": "no", "page": "1"}).content.decode()
    assert "Client update" in page and "Interview invite" not in page


def test_usage_and_reply_rate_in_a_bounded_number_of_queries(
    administrator_client, django_assert_max_num_queries, library
):
    invite = library[0]
    for n in range(4):
        candidate = CandidateFactory()
        sent = add_message(candidate, body="Hi", template=invite)
        if n == 0:
            add_message(candidate, body="Yes!", direction="inbound", in_reply_to=sent)
    add_message(CandidateFactory(), "canceled", body="Hi", template=invite)  # not counted
    with django_assert_max_num_queries(LIST_QUERIES):
        response = administrator_client.get(reverse("sms:template_list"))
    row = next(t for t in response.context["page"].object_list if t.pk == invite.pk)
    assert (row.times_used, row.times_replied) == (4, 1)
    html = response.content.decode()
    assert '<td class="num" data-used>4</td>' in html
    assert '<td class="num" data-reply-rate>25 %</td>' in html


def test_a_translation_needs_its_own_language_once_per_group(administrator, library):
    invite, _, _ = library
    same = SmsTemplateForm(
        {"name": "Again", "body": "Hi", "language": "en", "translation_of": invite.pk},
        user=administrator,
    )
    assert "already in English" in same.errors["language"][0]
    twice = SmsTemplateForm(
        {"name": "Encore", "body": "Salut", "language": "fr", "translation_of": invite.pk},
        user=administrator,
    )
    assert "already has a version in this language (“Invitation”)" in twice.errors["language"][0]
    german = SmsTemplateForm(
        {"name": "Einladung", "body": "Hallo", "language": "de", "translation_of": invite.pk},
        user=administrator,
    )
    assert german.is_valid(), german.errors
    assert german.save().owner is None  # an administrator's template is shared by default


def test_the_picker_lists_the_candidates_language_first(library, recruiter):
    SmsTemplate.objects.create(name="Mine", body="Hi", owner=recruiter)
    SmsTemplate.objects.create(name="Someone else's", body="Hi", owner=None, is_active=False)
    french_first = TemplateOrCustomForm(user=recruiter, language="fr-ca")
    labels = [label for _, label in french_first.fields["template"].choices][1:]
    assert labels == ["Invitation (French)", "Interview invite", "Mine · personal"]
    nobody = TemplateOrCustomForm()
    assert [label for _, label in nobody.fields["template"].choices][1:] == [
        "Interview invite",
        "Invitation (French)",
    ]
