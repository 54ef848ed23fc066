"""One card's "Send SMS": a drawer holding the conversation composer (the same as the profile's
and the inbox's), with {{job_title}} the card's job and a way back to the board (issue 11)."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from sms.models import Message, MessageStatus, SmsTemplate

HTMX = {"HX-Request": "true", "HX-Target": "overlay-root"}
IN_CONVERSATION = {"HX-Request": "true"}


def url(application):
    return reverse("sms:kanban_card_send", args=[application.pk])


def send_url(application):
    return reverse("sms:send_to_candidate", args=[application.candidate_id])


def post(client, application, body, **extra):
    data = {"kind": "custom", "body": body, "where": "board", "application": application.pk}
    data.update(extra.pop("data", {}))
    return client.post(send_url(application), data, **extra)


def test_the_drawer_holds_the_conversation_composer(recruiter_client, active_twilio, cards):
    html = recruiter_client.get(url(cards["Maya"]), headers=HTMX).content.decode()
    assert '<div class="overlay drawer-overlay' in html
    assert 'role="dialog"' in html and "<html" not in html
    assert "Maya Patel" in html and "+1 202-555-0101" in html
    assert "data-sms-composer" in html  # the conversation's composer
    assert 'name="application" id="sms-application-c' in html
    assert 'value="board"' in html
    assert "Schedule…" in html and ">Send now<" in html
    assert 'class="sms-preview"' in html
    assert "data-kanban-sms-form" not in html  # no second, weaker composer


def test_without_javascript_it_is_a_page(recruiter_client, active_twilio, cards):
    html = recruiter_client.get(url(cards["Maya"])).content.decode()
    assert "<html" in html and 'id="kanban-sms-panel"' in html and "data-sms-composer" in html


# Committed for real: in-process sends run when queueing commits, before the answer renders.
@pytest.mark.django_db(transaction=True)
def test_sending_from_the_drawer_uses_the_boards_job_and_updates_the_card(
    recruiter_client, recruiter, active_twilio, cards, fake_provider
):
    from candidates import services

    other = services.create_job(title="Data Engineer", recruiter=recruiter)
    services.apply(cards["Jordan"].candidate, other, by=recruiter)  # a newer application
    response = post(
        recruiter_client,
        cards["Jordan"],
        "Hi {{first_name}}, about {{job_title}}",
        headers=IN_CONVERSATION,
    )
    html = response.content.decode()
    message = Message.objects.get()
    assert message.thread.candidate == cards["Jordan"].candidate
    assert message.body == "Hi Jordan, about Senior Backend Engineer"
    assert message.status == MessageStatus.SENT
    assert fake_provider.sends_to("+12025550102") == 1
    assert "Message to Jordan Brooks sent." in html  # what happened, not "it is being sent"
    assert f'"{cards["Jordan"].pk}": "Riley: Hi Jordan, about Senior Backend Engineer"' in html


@pytest.mark.django_db(transaction=True)
def test_a_failed_send_says_so_instead_of_it_is_being_sent(
    recruiter_client, active_twilio, cards, fake_provider
):
    fake_provider.queue_twilio_error(21211, status=400)
    html = post(recruiter_client, cards["Maya"], "Hello", headers=IN_CONVERSATION).content
    html = html.decode()
    assert "being sent" not in html
    assert "did not go out: the reason is under it" in html
    assert "The phone number is not a valid number." in html


def test_the_preview_fills_in_the_boards_job_and_counts_the_filled_in_text(
    recruiter_client, active_twilio, cards
):
    body = "Hi {{first_name}}, are you free to talk about {{job_title}}?"
    html = recruiter_client.post(
        reverse("sms:compose_preview", args=[cards["Maya"].candidate_id]),
        {"body": body, "application": cards["Maya"].pk},
    ).content.decode()
    assert "Hi Maya, are you free to talk about Senior Backend Engineer?" in html
    # 60 characters filled in, not the 60-odd typed with merge fields.
    assert '<span class="sms-preview-counter" data-testid="filled-in-counter">60/160' in html


def test_without_javascript_a_send_goes_back_to_the_board(recruiter_client, active_twilio, cards):
    board = reverse("candidates:job_board", args=[cards["Maya"].job_id])
    back = f"{board}#application-{cards['Maya'].pk}"
    response = post(recruiter_client, cards["Maya"], "Hello", data={"next": back})
    assert response.status_code == 302
    assert response.url == back
    assert Message.objects.count() == 1


def test_a_repeated_post_of_the_same_form_sends_once(recruiter_client, active_twilio, cards):
    html = recruiter_client.get(url(cards["Maya"])).content.decode()
    opened_at = html.split('name="opened_at" value="')[1].split('"')[0]
    data = {"opened_at": opened_at}
    first = post(recruiter_client, cards["Maya"], "Hello", data=data, headers=IN_CONVERSATION)
    second = post(recruiter_client, cards["Maya"], "Hello", data=data, headers=IN_CONVERSATION)
    assert Message.objects.count() == 1
    assert "Message to Maya Patel" in first.content.decode()
    assert "was already queued" in second.content.decode()
    post(recruiter_client, cards["Maya"], "Bring your ID.", data=data, headers=IN_CONVERSATION)
    assert Message.objects.count() == 2  # a different text from the same form is new


def test_an_unknown_merge_field_is_refused_beside_the_field(recruiter_client, active_twilio, cards):
    response = post(recruiter_client, cards["Maya"], "Hi {{frist_name}}", headers=IN_CONVERSATION)
    assert "Unknown merge field {{frist_name}}" in response.content.decode()
    assert not Message.objects.exists()


def test_an_opted_out_candidate_is_explained_and_has_no_send_button(
    recruiter_client, active_twilio, cards, opted_out
):
    html = recruiter_client.get(url(cards["Olga"]), headers=HTMX).content.decode()
    assert "You can't text Olga right now." in html
    assert "Olga Optout opted out of SMS on" in html and "(replied STOP)" in html
    assert "Send now" not in html
    post(recruiter_client, cards["Olga"], "Hi")
    assert not Message.objects.exists()


def test_a_candidate_without_a_phone_is_explained(recruiter_client, active_twilio, cards):
    html = recruiter_client.get(url(cards["Nadia"]), headers=HTMX).content.decode()
    assert "You can't text Nadia right now." in html
    assert "Send now" not in html


def test_a_template_send_records_the_template(recruiter_client, active_twilio, cards):
    template = SmsTemplate.objects.create(name="Invite", body="Hi {{first_name}}!")
    post(
        recruiter_client,
        cards["Maya"],
        template.body,
        data={"kind": "template", "template": template.pk},
    )
    message = Message.objects.get()
    assert (message.body, message.template) == ("Hi Maya!", template)


def test_the_drawer_says_the_candidates_local_time_and_holds_at_night(
    recruiter_client, cards, active_twilio, fake_provider, quiet_hours, travel
):
    travel(datetime(2026, 12, 1, 3, 30, tzinfo=UTC))  # 22:30 in Washington DC (+1 202)
    html = recruiter_client.get(url(cards["Maya"])).content.decode()
    assert (
        "Maya's local time: <strong>22:30</strong>, America/New_York, from the phone number" in html
    )
    assert "Quiet hours in Maya&#x27;s time: a message sent now is held until 08:00 Tue." in html
    response = post(recruiter_client, cards["Maya"], "Hi Maya", headers=IN_CONVERSATION)
    assert (
        "held for quiet hours — goes out 08:00 Tue (Maya&#x27;s time)." in response.content.decode()
    )
    assert Message.objects.get().held_for == "quiet_hours"
    assert fake_provider.sends_to("+12025550101") == 0


def test_an_opted_out_candidates_card_says_so(recruiter_client, cards, opted_out):
    html = recruiter_client.get(reverse("candidates:job_board", args=[cards["Olga"].job_id]))
    html = html.content.decode()
    olga = html[html.index(f'id="application-{cards["Olga"].pk}"') :]
    olga = olga[: olga.index("</li>")]
    assert ">Opted out</span>" in olga
    maya = html[html.index(f'id="application-{cards["Maya"].pk}"') :]
    assert ">Opted out</span>" not in maya[: maya.index("</li>")]
