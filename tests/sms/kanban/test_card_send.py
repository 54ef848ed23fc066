"""One card's "Send SMS": the sidebar, the send, and why it refuses."""

import re

from django.urls import reverse

from sms.models import Message, MessageStatus, SmsTemplate

HTMX = {"HX-Request": "true", "HX-Target": "overlay-root"}
IN_PANEL = {"HX-Request": "true", "HX-Target": "kanban-sms-panel"}


def url(application):
    return reverse("sms:kanban_card_send", args=[application.pk])


def test_the_sidebar_opens_as_a_drawer_with_htmx(recruiter_client, active_twilio, cards):
    html = recruiter_client.get(url(cards["Maya"]), headers=HTMX).content.decode()
    assert '<div class="overlay drawer-overlay' in html
    assert 'role="dialog"' in html and "<html" not in html
    assert "Maya Patel" in html and "+1 202-555-0101" in html
    assert 'name="body"' in html and 'data-sms-counter="kanban-sms-counter"' in html
    assert ">Send</button>" in html
    assert "Custom" in html and "Template" in html


def test_without_javascript_it_is_a_page(recruiter_client, active_twilio, cards):
    SmsTemplate.objects.create(name="Invite", body="Hi {{first_name}}")
    html = recruiter_client.get(url(cards["Maya"])).content.decode()
    assert "<html" in html and 'id="kanban-sms-panel"' in html
    assert ">Use template</button>" in html  # the no-JS way to prefill from a template


def test_sending_queues_a_message_for_the_cards_candidate(
    recruiter_client,
    recruiter,
    active_twilio,
    cards,
    fake_provider,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = recruiter_client.post(
            url(cards["Jordan"]),
            {"kind": "custom", "body": "Hi {{first_name}}, about {{job_title}}", "step": "send"},
            headers=IN_PANEL,
        )
    html = response.content.decode()
    message = Message.objects.get()
    assert message.thread.candidate == cards["Jordan"].candidate
    assert message.body == "Hi Jordan, about Senior Backend Engineer"
    assert message.sent_by == recruiter
    assert message.status == MessageStatus.SENT
    assert fake_provider.sends_to("+12025550102") == 1
    assert "Message to Jordan Brooks queued" in html
    assert html.strip().startswith('<div id="kanban-sms-panel"')  # only the panel is swapped
    assert f'"{cards["Jordan"].pk}": "Hi Jordan, about Senior Backend Engineer"' in html


def test_job_title_is_the_boards_job_not_the_latest_application(
    recruiter_client, recruiter, active_twilio, cards
):
    from candidates import services

    other = services.create_job(title="Data Engineer", recruiter=recruiter)
    services.apply(cards["Maya"].candidate, other, by=recruiter)  # a newer application
    recruiter_client.post(url(cards["Maya"]), {"kind": "custom", "body": "Re {{job_title}}"})
    assert Message.objects.get().body == "Re Senior Backend Engineer"


def test_without_javascript_a_send_goes_back_to_the_board(recruiter_client, active_twilio, cards):
    response = recruiter_client.post(url(cards["Maya"]), {"kind": "custom", "body": "Hello"})
    board = reverse("candidates:job_board", args=[cards["Maya"].job_id])
    assert response.status_code == 302
    assert response.url == f"{board}#application-{cards['Maya'].pk}"
    assert Message.objects.count() == 1


def test_a_repeated_post_of_the_same_form_sends_once(recruiter_client, active_twilio, cards):
    form = recruiter_client.get(url(cards["Maya"])).context["form"]
    data = {"kind": "custom", "body": "Hello", "opened_at": form.initial["opened_at"]}
    first = recruiter_client.post(url(cards["Maya"]), data, headers=IN_PANEL)
    second = recruiter_client.post(url(cards["Maya"]), data, headers=IN_PANEL)
    assert Message.objects.count() == 1
    assert "queued" in first.content.decode()
    assert "was already queued" in second.content.decode()


def test_a_different_text_from_the_same_form_is_a_new_message(
    recruiter_client, active_twilio, cards
):
    opened_at = recruiter_client.get(url(cards["Maya"])).context["form"].initial["opened_at"]
    for body in ("Hello", "One more thing: bring your ID."):
        data = {"kind": "custom", "body": body, "opened_at": opened_at}
        recruiter_client.post(url(cards["Maya"]), data, headers=IN_PANEL)
    assert Message.objects.count() == 2


def test_an_empty_content_is_refused_beside_the_field(recruiter_client, active_twilio, cards):
    response = recruiter_client.post(url(cards["Maya"]), {"kind": "custom", "body": " "})
    html = response.content.decode()
    assert "Write the message before sending." in html
    assert not Message.objects.exists()


def test_an_unknown_merge_field_is_refused(recruiter_client, active_twilio, cards):
    response = recruiter_client.post(
        url(cards["Maya"]), {"kind": "custom", "body": "Hi {{frist_name}}"}, headers=IN_PANEL
    )
    assert "Unknown merge field {{frist_name}}" in response.content.decode()
    assert not Message.objects.exists()


def test_a_missing_merge_value_is_refused_with_the_reason(client, recruiter, active_twilio, cards):
    recruiter.first_name = recruiter.last_name = ""
    recruiter.save()
    client.force_login(recruiter)
    response = client.post(
        url(cards["Maya"]), {"kind": "custom", "body": "It's {{recruiter_name}}"}, headers=IN_PANEL
    )
    html = response.content.decode()
    assert "Cannot fill in the message: {{recruiter_name}} is empty" in html
    assert not Message.objects.exists()


def test_an_opted_out_candidate_is_explained_and_has_no_send_button(
    recruiter_client, active_twilio, cards, opted_out
):
    html = recruiter_client.get(url(cards["Olga"]), headers=HTMX).content.decode()
    assert "You can't text Olga right now." in html
    assert "Olga Optout opted out of SMS on" in html and "(replied STOP)" in html
    assert ">Send</button>" not in html

    recruiter_client.post(url(cards["Olga"]), {"kind": "custom", "body": "Hi"})
    assert not Message.objects.exists()


def test_a_candidate_without_a_phone_is_explained(recruiter_client, active_twilio, cards):
    html = recruiter_client.get(url(cards["Nadia"]), headers=HTMX).content.decode()
    assert "Nadia Nophone has no phone number." in html
    assert ">Send</button>" not in html


def test_the_template_type_needs_a_template(recruiter_client, active_twilio, cards):
    response = recruiter_client.post(url(cards["Maya"]), {"kind": "template", "body": "Hi"})
    assert "Choose a template, or switch the type to Custom." in response.content.decode()
    assert not Message.objects.exists()


def test_a_template_send_records_the_template(recruiter_client, active_twilio, cards):
    template = SmsTemplate.objects.create(name="Invite", body="Hi {{first_name}}!")
    recruiter_client.post(
        url(cards["Maya"]), {"kind": "template", "template": template.pk, "body": template.body}
    )
    message = Message.objects.get()
    assert (message.body, message.template) == ("Hi Maya!", template)


def test_use_template_without_javascript_prefills_the_content(
    recruiter_client, active_twilio, cards
):
    template = SmsTemplate.objects.create(name="Invite", body="Hi {{first_name}}, free Monday?")
    response = recruiter_client.post(
        url(cards["Maya"]),
        {"kind": "custom", "template": template.pk, "body": "", "step": "use_template"},
    )
    html = response.content.decode()
    assert "Hi {{first_name}}, free Monday?</textarea>" in html
    assert re.search(r'value="template"[^>]* checked', html)
    assert not Message.objects.exists()


def test_the_sidebar_says_the_candidates_local_time_and_holds_at_night(
    recruiter_client, cards, active_twilio, fake_provider, quiet_hours, travel
):
    from datetime import UTC, datetime

    travel(datetime(2026, 12, 1, 3, 30, tzinfo=UTC))  # 22:30 in Washington DC (+1 202)
    url = reverse("sms:kanban_card_send", args=[cards["Maya"].pk])
    html = recruiter_client.get(url).content.decode()
    assert (
        "Maya's local time: <strong>22:30</strong>, America/New_York, from the phone number"
        " · No consent on record" in html
    )
    assert "Quiet hours in Maya&#x27;s time: a message sent now is held until 08:00 Tue." in html
    response = recruiter_client.post(
        url, {"kind": "custom", "body": "Hi Maya", "step": "send"}, follow=True
    )
    assert (
        "Message to Maya Patel held for quiet hours — goes out 08:00 Tue (Maya&#x27;s time)."
        in response.content.decode()
    )
    assert Message.objects.get().held_for == "quiet_hours"
    assert fake_provider.sends_to("+12025550101") == 0
