"""The candidate profile's Messages area: the thread with statuses, the composer, the send view."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from sms.conversations.queries import version_token
from sms.eligibility import SMS_TURNED_OFF
from sms.models import Message, MessageStatus, OptOut, Thread
from sms.outbox.sending import OUTCOME_UNKNOWN
from tests.helpers.providers import CANDIDATE_PHONE

STATUS_ICON = '<span class="sms-status-icon" aria-hidden="true"></span>'


def render_area(candidate, user):
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load sms_tags %}{% candidate_messages candidate %}")
    return template.render(Context({"candidate": candidate, "request": request}))


def add_message(candidate, status, body="Hello", direction="outbound", **fields):
    thread, _ = Thread.objects.get_or_create(
        candidate=candidate, defaults={"phone_number": CANDIDATE_PHONE}
    )
    return Message.objects.create(
        thread=thread, direction=direction, status=status, body=body, **fields
    )


def send_url(candidate):
    return reverse("sms:send_to_candidate", args=[candidate.pk])


def test_it_lists_the_thread_with_statuses_and_readable_errors(active_twilio, candidate, recruiter):
    add_message(candidate, "received", "Hi, is the role remote?", direction="inbound")
    add_message(candidate, "delivered", "Yes, fully remote", sent_by=recruiter)
    add_message(
        candidate, "failed", "Call me", error_message="The phone number is not a valid number"
    )
    add_message(candidate, "unknown", "Are you there?", error_message=OUTCOME_UNKNOWN)
    html = render_area(candidate, recruiter)
    assert html.index("Hi, is the role remote?") < html.index("Yes, fully remote")
    assert f'data-status="delivered">{STATUS_ICON}Delivered</span>' in html
    assert "Riley Recruiter" in html
    assert "Not sent.</strong> The phone number is not a valid number" in html
    assert "Outcome unknown.</strong> The provider may have sent it" in html
    assert "not resent automatically" in html


def test_it_shows_the_composer_when_sending_is_possible(active_twilio, candidate, recruiter):
    html = render_area(candidate, recruiter)
    assert f'action="{send_url(candidate)}"' in html
    assert f'<label for="sms-body-{candidate.pk}">Message</label>' in html
    assert "<span>Send now</span>" in html
    assert "Via Twilio from +1 500-555-0006" in html


def test_it_explains_why_instead_of_a_composer_when_sms_is_off(candidate, recruiter):
    html = render_area(candidate, recruiter)
    assert SMS_TURNED_OFF in html
    assert "Send now" not in html


def test_it_explains_an_opt_out(active_twilio, candidate, recruiter):
    OptOut.objects.create(
        phone_number=CANDIDATE_PHONE, source="keyword", detail="STOP", changed_at=timezone.now()
    )
    html = render_area(candidate, recruiter)
    assert "Ada Lovelace opted out of SMS on" in html
    assert "Send now" not in html


def test_a_user_who_may_not_send_sees_no_composer(active_twilio, candidate, outsider):
    assert "Send now" not in render_area(candidate, outsider)


def test_it_polls_for_changes_since_the_version_it_shows(active_twilio, candidate, recruiter):
    message = add_message(candidate, "delivered")
    thread = Thread.objects.get(pk=message.thread_id)
    poll = reverse("sms:candidate_poll", args=[candidate.pk])
    html = render_area(candidate, recruiter)
    assert f'hx-get="{poll}?v={version_token(thread.changed_at)}"' in html
    assert 'hx-trigger="every 3s" data-poll-when-visible' in html


def test_rendering_takes_a_bounded_number_of_queries(
    active_twilio, candidate, recruiter, django_assert_max_num_queries
):
    for n in range(60):
        add_message(candidate, "delivered", f"Message {n}", sent_by=recruiter)
    recruiter = type(recruiter).objects.get(pk=recruiter.pk)  # fresh permission cache
    with django_assert_max_num_queries(8):
        html = render_area(candidate, recruiter)
    assert "Message 59" in html
    assert "Message 9<" not in html
    assert html.count('<li class="sms sms-outbound') == 50
    assert ">Load earlier messages</a>" in html


def test_send_now_queues_sends_and_redirects_to_the_profile(
    active_twilio, candidate, recruiter_client, fake_provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = recruiter_client.post(send_url(candidate), {"body": "Hi {{first_name}}"})
    assert response.status_code == 302
    assert response.url == reverse("candidates:detail", kwargs={"pk": candidate.pk})
    message = Message.objects.get()
    assert (message.body, message.status) == ("Hi Ada", MessageStatus.SENT)
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1
    page = recruiter_client.get(response.url)
    assert "Message to Ada Lovelace queued" in page.content.decode()


def test_a_refusal_is_flashed_with_its_reason(active_twilio, candidate, recruiter_client):
    response = recruiter_client.post(send_url(candidate), {"body": "   "}, follow=True)
    assert "Write a message before sending." in response.content.decode()
    assert not Message.objects.exists()


def test_with_htmx_a_refusal_shows_beside_the_field_and_keeps_the_draft(
    active_twilio, candidate, recruiter_client
):
    response = recruiter_client.post(
        send_url(candidate), {"body": "Hi {{frist_name}}"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<ul class="errorlist" id="sms-body-{candidate.pk}_error">' in html
    assert "Unknown merge field {{frist_name}}" in html
    assert 'aria-invalid="true"' in html
    assert ">Hi {{frist_name}}</textarea>" in html


def test_with_htmx_a_sent_message_appears_in_the_area(
    active_twilio, candidate, recruiter_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = recruiter_client.post(
            send_url(candidate), {"body": "On my way"}, headers={"HX-Request": "true"}
        )
    html = response.content.decode()
    assert "On my way" in html
    assert f'data-status="queued">{STATUS_ICON}Queued</span>' in html
    assert "</textarea>" in html and ">On my way</textarea>" not in html


@pytest.mark.parametrize("client_name", ["client", "outsider_client"])
def test_sending_needs_the_send_permission(active_twilio, candidate, request, client_name):
    client = request.getfixturevalue(client_name)
    response = client.post(send_url(candidate), {"body": "Hello"})
    assert response.status_code in (302, 403)
    if client_name == "client":
        assert response.url.startswith(reverse("login"))
    assert not Message.objects.exists()


def test_sending_needs_post(active_twilio, candidate, recruiter_client):
    assert recruiter_client.get(send_url(candidate)).status_code == 405


def test_the_thread_fragment_needs_view_permission(candidate, outsider_client):
    url = reverse("sms:candidate_thread", args=[candidate.pk])
    assert outsider_client.get(url).status_code == 403


def test_the_thread_fragment_lists_the_messages(candidate, recruiter_client):
    add_message(candidate, "sending", "Almost there")
    response = recruiter_client.get(reverse("sms:candidate_thread", args=[candidate.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Almost there" in html
    assert 'class="sms-status badge badge-info" data-status="sending">' in html
