"""Templates in several languages (a translation group) in bulk and automated sends, with the
fallback said; `{fill-in}` blanks that must be completed before anything goes out."""

import pytest

from candidates.models import Candidate, TimelineEvent
from sms.automations.forms import AutomationRuleForm
from sms.models import Message, SmsTemplate
from sms.outbox.bulk import plan_bulk, queue_bulk
from sms.outbox.queueing import SendRefused, render_body
from sms.text.fill_ins import blanks, fill
from sms.text.languages import pick_version
from sms.text.rules import body_problems


@pytest.fixture
def versions(invite):
    french = SmsTemplate.objects.create(
        name="Invitation à un entretien",
        body="Bonjour {{first_name}}, un entretien pour {{job_title}} ?",
        language="fr",
        translation_of=invite,
    )
    return invite, french


@pytest.fixture
def people(cards):
    Candidate.objects.filter(first_name="Ada").update(preferred_language="fr")
    Candidate.objects.filter(first_name="Grace").update(preferred_language="de")
    return list(Candidate.objects.order_by("pk"))  # Ada (French), Grace (German)


def test_pick_version_matches_exact_then_the_base_language():
    versions = {"en": "E", "fr": "F", "pt-br": "P"}
    assert pick_version(versions, "fr-ca") == "F"
    assert pick_version(versions, "pt-br") == "P"
    assert pick_version(versions, "pt") == "P"
    assert pick_version(versions, "de") is None
    assert pick_version(versions, "") is None


def test_a_bulk_send_picks_each_candidates_language_and_says_the_fallback(
    active_twilio, recruiter, job, versions, people
):
    invite, french = versions
    plan = plan_bulk(people, invite.body, sent_by=recruiter, job=job, template=invite)
    bodies = {candidate.first_name: body for candidate, _, body in plan.sends}
    assert bodies == {
        "Ada": "Bonjour Ada, un entretien pour Senior Backend Engineer ?",
        "Grace": "Hi Grace, can we set up an interview for Senior Backend Engineer?",
    }
    assert plan.language_summary == (
        "1 in French, 1 in English (1 prefers German: no German version, sent in English)"
    )
    bulk = queue_bulk(people, invite.body, sent_by=recruiter, job=job, template=invite)
    used = dict(Message.objects.filter(bulk_send=bulk).values_list("to_number", "template"))
    assert used == {"+12025550101": french.pk, "+12025550102": invite.pk}


def test_an_edited_text_goes_to_everyone_as_written(
    active_twilio, recruiter, job, versions, people
):
    invite, _ = versions
    bulk = queue_bulk(people, "Hi {{first_name}}!", sent_by=recruiter, job=job, template=invite)
    sent = set(Message.objects.filter(bulk_send=bulk).values_list("body", "template"))
    assert sent == {("Hi Ada!", invite.pk), ("Hi Grace!", invite.pk)}


def test_an_automated_text_is_sent_in_the_candidates_language(
    active_twilio, fake_provider, cards, stage, rule, move, versions, people
):
    rule()
    move(cards["Ada"], stage("Interview"))
    move(cards["Grace"], stage("Interview"))
    bodies = dict(Message.objects.values_list("to_number", "body"))
    assert bodies["+12025550101"].startswith("Bonjour Ada")
    assert bodies["+12025550102"].startswith("Hi Grace")
    notes = list(
        TimelineEvent.objects.filter(kind=TimelineEvent.Kind.SMS_QUEUED)
        .order_by("pk")
        .values_list("description", flat=True)
    )
    assert notes[0].endswith("Riley's job), in French")
    assert notes[1].endswith("Riley's job), in English: no German version")


def test_blanks_are_found_filled_and_told_apart_from_merge_fields():
    body = "Hi {{first_name}}, see you {interview day} at {time} ({time})."
    assert blanks(body) == ["interview day", "time"]
    assert fill(body, {"time": "10:00"}) == (
        "Hi {{first_name}}, see you {interview day} at 10:00 (10:00)."
    )
    assert body_problems(body, template=True) == []
    assert body_problems("Hi {first_name}", template=True) == [
        "“{first_name}” is not a merge field. Write merge fields with double braces and no "
        "spaces in the name, e.g. {{first_name}}."
    ]


def test_a_blank_left_in_a_message_is_refused(active_twilio, recruiter, job, people):
    body = "Hi {{first_name}}, see you on {interview day}."
    with pytest.raises(SendRefused) as single:
        render_body(people[0], body, sent_by=recruiter)
    assert single.value.reason == (
        "Fill in {interview day} before sending: replace it with the actual text."
    )
    with pytest.raises(SendRefused) as bulk:
        plan_bulk(people, body, sent_by=recruiter, job=job)
    assert bulk.value.field == "body"
    assert "once for everyone" in bulk.value.reason
    filled = plan_bulk(people, fill(body, {"interview day": "Monday"}), sent_by=recruiter, job=job)
    assert filled.send_count == 2


def test_a_template_with_blanks_cannot_be_automated(job, stage):
    blanky = SmsTemplate.objects.create(name="Slot", body="See you at {time}")
    form = AutomationRuleForm(
        {
            "name": "Slot",
            "stage": stage("Interview").pk,
            "template": blanky.pk,
            "delay_amount": 0,
            "delay_unit": "minutes",
        },
        job=job,
    )
    assert not form.is_valid()
    assert "has blanks to fill in ({time})" in form.errors["template"][0]


def test_a_bulk_send_from_the_board_asks_for_each_blank_once_for_everyone(
    recruiter_client, active_twilio, fake_provider, job, cards, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    url = reverse("sms:kanban_bulk_send", args=[job.pk])
    base = {
        "application": [cards["Ada"].pk, cards["Grace"].pk],
        "kind": "custom",
        "body": "Hi {{first_name}}, we meet on {interview day}.",
    }
    refused = recruiter_client.post(url, {**base, "step": "preview"})
    assert refused.context["form"].errors["body"] == [
        "Fill in {interview day} once for everyone before sending."
    ]
    assert 'name="fill:interview day"' in refused.content.decode()
    previewed = recruiter_client.post(
        url, {**base, "step": "preview", "fill:interview day": "Monday"}
    )
    assert previewed.context["example"][2] in {
        "Hi Ada, we meet on Monday.",
        "Hi Grace, we meet on Monday.",
    }
    with django_capture_on_commit_callbacks(execute=True):
        recruiter_client.post(url, {**base, "step": "send", "fill:interview day": "Monday"})
    assert sorted(Message.objects.values_list("body", flat=True)) == [
        "Hi Ada, we meet on Monday.",
        "Hi Grace, we meet on Monday.",
    ]
    assert fake_provider.sends_to("+12025550101") == 1


def test_a_template_posted_back_with_crlf_line_breaks_is_still_unchanged(invite):
    from sms.outbox.bulk import unchanged_template

    invite.body = "Hi {{first_name}},\nsee you soon."
    assert unchanged_template(invite, "Hi {{first_name}},\r\nsee you soon.\r\n") is invite
    assert unchanged_template(invite, "Hi {{first_name}}, see you soon.") is None
