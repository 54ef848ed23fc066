""" "Send SMS to N candidates": the sidebar, the preview, the send and its live progress."""

import re

import pytest
from django.urls import reverse

from candidates import services
from sms.models import BulkSend, Message
from tests.factories import CandidateFactory

HTMX = {"HX-Request": "true", "HX-Target": "overlay-root"}
IN_PANEL = {"HX-Request": "true", "HX-Target": "kanban-sms-panel"}


def url(job):
    return reverse("sms:kanban_bulk_send", args=[job.pk])


def selection(cards, *names):
    return [cards[name].pk for name in names]


def test_the_toolbar_button_opens_the_sidebar_for_the_selection(
    recruiter_client, active_twilio, job, cards
):
    data = {"job": job.pk, "application": selection(cards, "Maya", "Jordan"), "step": "compose"}
    html = recruiter_client.post(url(job), data, headers=HTMX).content.decode()
    assert '<div class="overlay drawer-overlay' in html
    assert "Send SMS to 2 candidates" in html
    assert "Maya Patel" in html and "Jordan Brooks" in html
    assert html.count('name="application"') == 2
    assert ">Preview</button>" in html
    assert "This field is required" not in html  # opening is not submitting


def test_cards_of_other_jobs_are_ignored(recruiter_client, recruiter, active_twilio, job, cards):
    other_job = services.create_job(title="Designer")
    stranger = services.create_candidate(first_name="Zed", last_name="Other", by=recruiter)
    foreign = services.apply(stranger, other_job, by=recruiter)
    data = {"application": [cards["Maya"].pk, foreign.pk, "junk"], "step": "compose"}
    html = recruiter_client.post(url(job), data, headers=HTMX).content.decode()
    assert "Send SMS to 1 candidate<" in html
    assert "Zed" not in html


def test_an_empty_selection_is_explained(recruiter_client, active_twilio, job):
    html = recruiter_client.post(url(job), {"step": "compose"}, headers=HTMX).content.decode()
    assert "Select the candidates to text on the board first." in html
    assert ">Preview</button>" not in html


def test_the_preview_counts_and_lists_who_is_skipped_and_why(
    recruiter_client, recruiter, active_twilio, job, cards, opted_out
):
    no_last_name = CandidateFactory(first_name="Prince", last_name="", phone="+12025550109")
    services.apply(no_last_name, job, by=recruiter)
    prince = job.applications.get(candidate=no_last_name).pk
    ids = [*selection(cards, "Maya", "Jordan", "Olga", "Nadia"), prince]
    body = "Hi {{first_name}} {{last_name}}, news about {{job_title}}"
    response = recruiter_client.post(
        url(job),
        {"application": ids, "kind": "custom", "body": body, "step": "preview"},
        headers=IN_PANEL,
    )
    html = response.content.decode()
    assert (
        "2 will be sent, 3 skipped: 1 opted out, 1 without a valid phone, 1 missing a merge field"
        in html
    )
    skipped = re.search(r'data-testid="skipped">(.*?)</ul>', html, re.S).group(1)
    assert "Olga Optout</strong><span>Olga Optout opted out of SMS on" in skipped
    assert "Nadia Nophone</strong><span>Nadia Nophone has no phone number." in skipped
    assert "Prince</strong><span>Not sent: {{last_name}} is empty: no last name." in skipped
    assert "Hi Maya Patel, news about Senior Backend Engineer" in html  # the rendered example
    assert ">Send 2 messages</button>" in html
    assert "previewed_at" in html
    assert not Message.objects.exists() and not BulkSend.objects.exists()


def test_sending_queues_one_message_per_candidate_with_their_own_fields(
    recruiter_client,
    recruiter,
    active_twilio,
    job,
    cards,
    opted_out,
    fake_provider,
    django_capture_on_commit_callbacks,
):
    ids = selection(cards, "Maya", "Jordan", "Sofia", "Olga")
    with django_capture_on_commit_callbacks(execute=True):
        response = recruiter_client.post(
            url(job),
            {"application": ids, "kind": "custom", "body": "Hi {{first_name}}!", "step": "send"},
            headers=IN_PANEL,
        )
    bulk = BulkSend.objects.get()
    assert (bulk.job, bulk.created_by, bulk.queued_count) == (job, recruiter, 3)
    assert [s["name"] for s in bulk.skipped] == ["Olga Optout"]
    sent = dict(
        Message.objects.filter(bulk_send=bulk).values_list("thread__candidate__first_name", "body")
    )
    assert sent == {"Maya": "Hi Maya!", "Jordan": "Hi Jordan!", "Sofia": "Hi Sofia!"}
    assert [
        fake_provider.sends_to(n) for n in ("+12025550101", "+12025550102", "+12025550104")
    ] == [1, 1, 0]
    html = response.content.decode()
    assert f'id="bulk-progress-{bulk.pk}"' in html
    assert '"' + str(cards["Sofia"].pk) + '": "Hi Sofia!"' in html  # cards' last-SMS lines


def test_a_repeated_send_post_does_not_text_everyone_twice(
    recruiter_client, active_twilio, job, cards
):
    ids = selection(cards, "Maya", "Jordan")
    preview = recruiter_client.post(
        url(job), {"application": ids, "kind": "custom", "body": "Hi", "step": "preview"}
    )
    previewed_at = re.search(
        r'name="previewed_at" value="([^"]+)"', preview.content.decode()
    ).group(1)
    data = {
        "application": ids,
        "kind": "custom",
        "body": "Hi",
        "step": "send",
        "previewed_at": previewed_at,
    }
    first = recruiter_client.post(url(job), data)
    second = recruiter_client.post(url(job), data)
    bulk = BulkSend.objects.get()
    assert first.url == second.url == reverse("sms:bulk_progress", args=[bulk.pk])
    assert Message.objects.count() == 2


def test_a_template_is_recorded_on_the_bulk_send(recruiter_client, active_twilio, job, cards):
    from sms.models import SmsTemplate

    template = SmsTemplate.objects.create(name="Invite", body="Hi {{first_name}}")
    recruiter_client.post(
        url(job),
        {
            "application": selection(cards, "Maya"),
            "kind": "template",
            "template": template.pk,
            "body": template.body,
            "step": "send",
        },
    )
    bulk = BulkSend.objects.get()
    assert bulk.template == template
    assert Message.objects.get().template == template


def test_back_to_edit_keeps_the_text(recruiter_client, active_twilio, job, cards):
    data = {
        "application": selection(cards, "Maya"),
        "kind": "custom",
        "body": "Hi {{first_name}}",
        "step": "edit",
    }
    html = recruiter_client.post(url(job), data, headers=IN_PANEL).content.decode()
    assert "Hi {{first_name}}</textarea>" in html and ">Preview</button>" in html


@pytest.mark.parametrize("step", ["compose", "preview", "send"])
def test_with_no_active_provider_the_sidebar_says_why(recruiter_client, job, cards, step):
    data = {
        "application": selection(cards, "Maya", "Jordan"),
        "kind": "custom",
        "body": "Hi",
        "step": step,
    }
    html = recruiter_client.post(url(job), data, headers=HTMX).content.decode()
    assert "SMS can&#x27;t be sent right now." in html or "SMS can't be sent right now." in html
    assert "Ask an administrator to activate Twilio or ClickSend." in html
    assert ">Preview</button>" not in html and "Send 2" not in html
    assert not Message.objects.exists()


def test_without_javascript_a_send_lands_on_the_progress_page(
    recruiter_client, active_twilio, job, cards
):
    data = {"application": selection(cards, "Maya"), "kind": "custom", "body": "Hi", "step": "send"}
    response = recruiter_client.post(url(job), data, follow=True)
    bulk = BulkSend.objects.get()
    assert response.redirect_chain == [(reverse("sms:bulk_progress", args=[bulk.pk]), 302)]
    html = response.content.decode()
    assert "1 message queued; they are being sent." in html
    assert "<html" in html and f'id="bulk-progress-{bulk.pk}"' in html


def test_the_progress_page_survives_a_deleted_sender(recruiter_client, active_twilio, job, cards):
    data = {"application": selection(cards, "Maya"), "kind": "custom", "body": "Hi", "step": "send"}
    recruiter_client.post(url(job), data)
    bulk = BulkSend.objects.get()
    BulkSend.objects.filter(pk=bulk.pk).update(created_by=None)  # the sender's account was removed
    response = recruiter_client.get(reverse("sms:bulk_progress", args=[bulk.pk]))
    assert response.status_code == 200
    assert "Sent by a former user" in response.content.decode()


def test_at_night_the_preview_counts_who_is_held_and_the_send_holds_them(
    recruiter_client, active_twilio, job, cards, fake_provider, quiet_hours, travel
):
    from datetime import UTC, datetime

    travel(datetime(2026, 12, 1, 3, 0, tzinfo=UTC))  # 22:00 in Washington DC (+1 202)
    ids = selection(cards, "Maya", "Jordan")
    data = {"application": ids, "kind": "custom", "body": "Hi {{first_name}}", "step": "preview"}
    html = recruiter_client.post(url(job), data, headers=IN_PANEL).content.decode()
    assert "<strong>2 held until 08:00 their time</strong>" in html
    assert ">Send 2 messages</button>" in html
    recruiter_client.post(url(job), {**data, "step": "send"}, headers=IN_PANEL)
    held = Message.objects.filter(held_for="quiet_hours")
    assert held.count() == 2
    assert fake_provider.sends_to("+12025550101") == 0


def test_a_bulk_send_can_carry_one_photo_for_everyone(
    recruiter_client, active_twilio, job, cards, fake_provider, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sms.models import Attachment

    ids = selection(cards, "Maya", "Jordan")
    photo = SimpleUploadedFile("map.png", b"\x89PNG\r\n\x1a\n" + b"x" * 50)
    preview = recruiter_client.post(
        url(job),
        {"application": ids, "kind": "custom", "body": "Parking map", "step": "preview",
         "attachment": photo},
        headers=IN_PANEL,
    ).content.decode()  # fmt: skip
    assert "MMS · 1 photo" in preview
    token = re.search(r'name="staged_attachment" value="([^"]+)"', preview).group(1)
    previewed_at = re.search(r'name="previewed_at" value="([^"]+)"', preview).group(1)

    with django_capture_on_commit_callbacks(execute=True):
        recruiter_client.post(
            url(job),
            {"application": ids, "kind": "custom", "body": "Parking map", "step": "send",
             "staged_attachment": token, "previewed_at": previewed_at},
            headers=IN_PANEL,
        )  # fmt: skip

    attachments = Attachment.objects.filter(message__bulk_send__isnull=False)
    assert attachments.count() == 2
    assert len({a.file.name for a in attachments}) == 1  # one file, shared
    sends = fake_provider.requests_for("twilio.send")
    assert len(sends) == 2 and all(len(s.form["MediaUrl"]) == 1 for s in sends)


def test_a_forged_staged_attachment_is_refused(recruiter_client, active_twilio, job, cards):
    response = recruiter_client.post(
        url(job),
        {"application": selection(cards, "Maya"), "kind": "custom", "body": "Hi",
         "step": "send", "staged_attachment": "not-a-token"},
        headers=IN_PANEL,
    )  # fmt: skip
    assert "The attachment expired" in response.content.decode()
    assert not Message.objects.exists()


def test_a_card_send_can_carry_a_pdf(
    recruiter_client, active_twilio, cards, fake_provider, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    card = cards["Maya"]
    pdf = SimpleUploadedFile("offer.pdf", b"%PDF-1.7\n" + b"x" * 50)
    with django_capture_on_commit_callbacks(execute=True):
        recruiter_client.post(
            reverse("sms:kanban_card_send", args=[card.pk]),
            {"kind": "custom", "body": "Your offer", "step": "send", "attachment": pdf},
            headers=IN_PANEL,
        )

    message = Message.objects.get()
    assert message.attachments.get().content_type == "application/pdf"
    (send,) = fake_provider.requests_for("twilio.send")
    assert len(send.form["MediaUrl"]) == 1
