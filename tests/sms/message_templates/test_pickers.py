"""Only active templates are offered to recruiters (checked through the kanban sidebar)."""

import pytest
from django.test import Client
from django.urls import reverse

from candidates import services
from sms.models import Message, SmsTemplate
from tests.helpers.providers import configure


@pytest.fixture
def card(db, recruiter, fake_provider):
    configure("twilio")
    job = services.create_job(title="Platform Engineer")
    candidate = services.create_candidate(
        first_name="Maya", last_name="Patel", phone="+12025550101", by=recruiter
    )
    return services.apply(candidate, job, by=recruiter)


def test_the_sidebar_picker_lists_active_templates_only(recruiter_client, card):
    active = SmsTemplate.objects.create(name="Interview invite", body="Hi {{first_name}}!")
    SmsTemplate.objects.create(name="Retired reminder", body="Old", is_active=False)
    html = recruiter_client.get(reverse("sms:kanban_card_send", args=[card.pk])).content.decode()
    assert (
        f'<option value="{active.pk}" data-body="Hi {{{{first_name}}}}!">Interview invite</option>'
        in html
    )
    assert "Retired reminder" not in html


def test_switching_a_template_off_removes_it_from_the_picker(administrator, recruiter_client, card):
    administrator_client = Client()  # the `client` fixture is the recruiter's
    administrator_client.force_login(administrator)
    template = SmsTemplate.objects.create(name="Interview invite", body="Hi")
    url = reverse("sms:kanban_card_send", args=[card.pk])
    assert "Interview invite" in recruiter_client.get(url).content.decode()
    administrator_client.post(reverse("sms:template_active", args=[template.pk]), {"active": "0"})
    assert "Interview invite" not in recruiter_client.get(url).content.decode()


def test_an_inactive_template_cannot_be_sent_by_id(recruiter_client, card):
    retired = SmsTemplate.objects.create(name="Retired", body="Old text", is_active=False)
    response = recruiter_client.post(
        reverse("sms:kanban_bulk_send", args=[card.job_id]),
        {
            "kind": "template",
            "template": retired.pk,
            "body": "Old text",
            "application": card.pk,
            "step": "preview",
        },
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Message.objects.exists()


def test_without_active_templates_the_picker_says_so(recruiter, administrator_client, card):
    url = reverse("sms:kanban_bulk_send", args=[card.job_id]) + f"?application={card.pk}"
    recruiter_client = Client()
    recruiter_client.force_login(recruiter)
    recruiter_html = recruiter_client.get(url).content.decode()
    assert "No active templates yet." in recruiter_html and "Create one" not in recruiter_html
    admin_html = administrator_client.get(url).content.decode()
    assert f'href="{reverse("sms:template_create")}">Create one</a>' in admin_html
