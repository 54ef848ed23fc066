"""The composer: Send now, Schedule, templates and merge fields, errors beside their fields,
refusals that explain themselves, and the merge-field preview."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sms.models import Message, MessageStatus, OptOut, SmsTemplate, Thread
from tests.factories import ApplicationFactory, JobFactory
from tests.helpers.providers import CANDIDATE_PHONE

HTMX = {"HX-Request": "true", "HX-Target": "conversation-c0"}


def send_url(candidate):
    return reverse("sms:send_to_candidate", args=[candidate.pk])


def post_composer(client, candidate, **fields):
    data = {"kind": "custom", "action": "send", "where": "profile", **fields}
    return client.post(send_url(candidate), data, headers=HTMX)


def local_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_it_sends_now_with_merge_fields_filled_for_the_candidate(
    active_twilio, candidate, recruiter_client, fake_provider, django_capture_on_commit_callbacks
):
    ApplicationFactory(candidate=candidate, job=JobFactory(title="Data Engineer"))
    with django_capture_on_commit_callbacks(execute=True):
        response = post_composer(
            recruiter_client, candidate, body="Hi {{first_name}}, about {{job_title}}"
        )
    assert response.status_code == 200
    message = Message.objects.get()
    assert message.body == "Hi Ada, about Data Engineer"
    assert message.status == MessageStatus.SENT
    assert message.sent_by.username == "riley"
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1
    html = response.content.decode()
    assert "Message to Ada Lovelace queued; it is being sent." in html
    assert "Hi Ada, about Data Engineer" in html
    assert f'id="sms-body-{candidate.pk}"' in html  # a fresh, empty composer
    assert "Hi {{first_name}}" not in html


def test_it_schedules_for_later_without_sending_now(
    active_twilio, candidate, recruiter_client, fake_provider, django_capture_on_commit_callbacks
):
    later = timezone.now() + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_composer(
            recruiter_client,
            candidate,
            body="See you Thursday",
            action="schedule",
            scheduled_for=local_input(later),
        )
    message = Message.objects.get()
    assert message.status == MessageStatus.QUEUED
    expected = timezone.localtime(later).replace(second=0, microsecond=0)
    assert message.scheduled_for == expected
    assert message.next_attempt_at == expected
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 0
    html = response.content.decode()
    assert "Message to Ada Lovelace scheduled for" in html
    assert 'class="sms-scheduled-item"' in html
    assert reverse("sms:message_cancel", args=[message.pk]) in html
    # Waiting messages are listed apart from the conversation, not as sent bubbles.
    assert 'class="sms sms-outbound' not in html


@pytest.mark.parametrize(
    ("offset", "error"),
    [
        (timedelta(minutes=-5), "Choose a time in the future"),
        (timedelta(days=400), "Choose a time within the next 12 months."),
    ],
)
def test_a_schedule_time_outside_the_window_is_an_inline_error(
    active_twilio, candidate, recruiter_client, offset, error
):
    response = post_composer(
        recruiter_client,
        candidate,
        body="Hello",
        action="schedule",
        scheduled_for=local_input(timezone.now() + offset),
    )
    html = response.content.decode()
    assert f'<ul class="errorlist" id="sms-scheduled_for-{candidate.pk}_error"><li>{error}' in html
    assert '<details class="sms-schedule" open>' in html
    assert ">Hello</textarea>" in html  # the draft is kept
    assert not Message.objects.exists()


def test_scheduling_without_a_time_asks_for_one(active_twilio, candidate, recruiter_client):
    response = post_composer(recruiter_client, candidate, body="Hello", action="schedule")
    assert "Choose the date and time to send it." in response.content.decode()
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("   ", "Write a message before sending."),
        ("x" * 1601, "Ensure this value has at most 1600 characters (it has 1601)."),
        ("Hi {{frist_name}}", "Unknown merge field {{frist_name}}. Check the spelling."),
        (
            "About {{job_title}}",
            "Cannot fill in the message: {{job_title}} is empty: no job to name.",
        ),
    ],
)
def test_body_problems_show_beside_the_message_field(
    active_twilio, candidate, recruiter_client, body, error
):
    response = post_composer(recruiter_client, candidate, body=body)
    html = response.content.decode()
    assert f'<ul class="errorlist" id="sms-body-{candidate.pk}_error"><li>{error}</li>' in html
    assert 'aria-invalid="true"' in html
    assert not Message.objects.exists()


def test_a_refusal_about_the_recipient_shows_above_the_form(
    active_twilio, candidate, recruiter_client
):
    # The composer was shown; the candidate opted out before the recruiter pressed Send.
    page = recruiter_client.get(reverse("candidates:detail", args=[candidate.pk]))
    assert "<span>Send now</span>" in page.content.decode()
    OptOut.objects.create(
        phone_number=CANDIDATE_PHONE, source="keyword", detail="STOP", changed_at=timezone.now()
    )
    response = post_composer(recruiter_client, candidate, body="Still there?")
    html = response.content.decode()
    assert "Ada Lovelace opted out of SMS on" in html
    assert "Opted out · " in html
    assert "<span>Send now</span>" not in html  # the component now explains instead
    assert not Message.objects.exists()


def test_without_htmx_errors_are_flashed_and_success_redirects_back(
    active_twilio, candidate, recruiter_client
):
    inbox_thread = Thread.objects.create(candidate=candidate, phone_number=CANDIDATE_PHONE)
    next_url = reverse("sms:inbox_thread", args=[inbox_thread.pk])
    response = recruiter_client.post(
        send_url(candidate), {"body": "", "next": next_url}, follow=True
    )
    assert response.redirect_chain[-1][0] == next_url
    assert "Write a message before sending." in response.content.decode()
    response = recruiter_client.post(
        send_url(candidate), {"body": "Hello", "next": "https://evil.example.com/"}
    )
    assert response.url == reverse("candidates:detail", args=[candidate.pk])
    assert Message.objects.get().body == "Hello"


def test_the_template_picker_offers_only_active_templates_with_their_text(
    active_twilio, candidate, recruiter_client
):
    active = SmsTemplate.objects.create(name="Invite", body="Hi {{first_name}}!")
    SmsTemplate.objects.create(name="Retired", body="Old", is_active=False)
    html = recruiter_client.get(reverse("candidates:detail", args=[candidate.pk])).content
    html = html.decode()
    assert f'<option value="{active.pk}" data-body="Hi {{{{first_name}}}}!">Invite</option>' in html
    assert "Retired" not in html


def test_an_inactive_template_cannot_be_sent(active_twilio, candidate, recruiter_client):
    retired = SmsTemplate.objects.create(name="Retired", body="Old", is_active=False)
    response = post_composer(
        recruiter_client, candidate, kind="template", template=retired.pk, body="Old"
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Message.objects.exists()


def test_the_template_type_needs_a_template(active_twilio, candidate, recruiter_client):
    response = post_composer(recruiter_client, candidate, kind="template", body="Hi")
    assert "Choose a template, or switch the type to Custom." in response.content.decode()
    assert not Message.objects.exists()


def test_a_template_is_sent_edited_or_as_is_and_remembered(
    active_twilio, candidate, recruiter_client
):
    template = SmsTemplate.objects.create(name="Invite", body="Hi {{first_name}}, call me?")
    post_composer(recruiter_client, candidate, kind="template", template=template.pk, body="")
    post_composer(
        recruiter_client,
        candidate,
        kind="template",
        template=template.pk,
        body="Hi {{first_name}}, call me at 3?",
    )
    # Custom ignores a template left selected in the hidden picker.
    post_composer(recruiter_client, candidate, kind="custom", template=template.pk, body="Thanks")
    sent = list(Message.objects.order_by("pk").values_list("body", "template__name"))
    assert sent == [
        ("Hi Ada, call me?", "Invite"),
        ("Hi Ada, call me at 3?", "Invite"),
        ("Thanks", None),
    ]


def test_the_preview_shows_the_text_this_candidate_receives(
    active_twilio, candidate, recruiter_client
):
    url = reverse("sms:compose_preview", args=[candidate.pk])
    ApplicationFactory(candidate=candidate, job=JobFactory(title="Data Engineer"))
    html = recruiter_client.post(url, {"body": "Hi {{first_name}} ({{job_title}})"}).content
    assert '<div class="sms-preview-bubble">Hi Ada (Data Engineer)</div>' in html.decode()
    html = recruiter_client.post(url, {"body": "From {{recruiter_name}} at {{company_nme}}"})
    assert "Unknown merge field {{company_nme}}" in html.content.decode()
    assert recruiter_client.post(url, {"body": "No fields here"}).content.strip() == b""


def test_the_composer_says_when_the_candidate_has_no_valid_phone(active_twilio, recruiter_client):
    from tests.factories import CandidateFactory

    nobody = CandidateFactory(first_name="Nia", last_name="Phoneless", phone="")
    html = recruiter_client.get(reverse("candidates:detail", args=[nobody.pk])).content.decode()
    assert "Nia Phoneless has no phone number." in html
    assert "No valid phone" in html
    assert "<span>Send now</span>" not in html


def test_without_active_templates_the_composer_offers_no_type_choice(
    active_twilio, candidate, recruiter_client
):
    SmsTemplate.objects.create(name="Retired", body="Old", is_active=False)
    html = recruiter_client.get(reverse("candidates:detail", args=[candidate.pk])).content.decode()
    assert 'name="kind"' not in html and 'name="template"' not in html
    assert "<span>Send now</span>" in html
