"""What the editor refuses, worded so an administrator knows what to fix."""

import pytest
from django.urls import reverse

from sms.models import SmsTemplate

CREATE = reverse("sms:template_create")


def post(client, **data):
    response = client.post(CREATE, {"name": "Reminder", "body": "Hi {{first_name}}", **data})
    return response, response.content.decode()


def test_an_unknown_merge_field_is_an_error_naming_the_allowed_ones(administrator_client):
    response, html = post(administrator_client, body="Hi {{frist_name}}, see you {{ job_title }}")
    assert response.status_code == 200
    assert (
        "Unknown merge field {{frist_name}}. Use one of: {{first_name}}, {{last_name}}, "
        "{{full_name}}, {{job_title}}, {{recruiter_name}}, {{company_name}}." in html
    )
    assert 'aria-invalid="true"' in html
    assert not SmsTemplate.objects.exists()


def test_several_unknown_fields_are_named_together(administrator_client):
    _, html = post(administrator_client, body="{{a}} and {{b}} and {{a}}")
    assert "Unknown merge fields {{a}}, {{b}}." in html


@pytest.mark.parametrize("body", ["Hi {{first name}}", "Hi {first_name}"])
def test_malformed_merge_fields_are_an_error(administrator_client, body):
    _, html = post(administrator_client, body=body)
    assert "is not a merge field" in html
    assert not SmsTemplate.objects.exists()


def test_a_body_over_1600_characters_is_an_error(administrator_client):
    _, html = post(administrator_client, body="x" * 1601)
    assert "The message is 1,601 characters long; the limit is 1,600." in html
    assert not SmsTemplate.objects.exists()


def test_exactly_1600_characters_is_allowed(administrator_client):
    response, _ = post(administrator_client, body="x" * 1600)
    assert response.status_code == 302
    assert len(SmsTemplate.objects.get().body) == 1600


def test_an_empty_body_is_required(administrator_client):
    _, html = post(administrator_client, body="   ")
    assert "This field is required." in html


def test_a_taken_name_is_a_clear_error_whatever_its_case(administrator_client):
    SmsTemplate.objects.create(name="Interview invite", body="Hi")
    _, html = post(administrator_client, name="interview INVITE")
    assert "A template named “interview INVITE” already exists. Choose another name." in html
    assert SmsTemplate.objects.count() == 1


def test_editing_keeps_its_own_name(administrator_client):
    template = SmsTemplate.objects.create(name="Interview invite", body="Hi")
    response = administrator_client.post(
        reverse("sms:template_edit", args=[template.pk]),
        {"name": "Interview invite", "body": "Hello {{first_name}}"},
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body == "Hello {{first_name}}"


def test_a_failed_save_keeps_what_was_typed(administrator_client):
    _, html = post(administrator_client, name="Keep me", body="Hi {{frist_name}}")
    assert 'value="Keep me"' in html
    assert "Hi {{frist_name}}</textarea>" in html


def test_the_editor_previews_the_body_for_the_sample_candidate(administrator_client, settings):
    settings.COMPANY_NAME = "Acme Talent"
    template = SmsTemplate.objects.create(
        name="Invite",
        body="Hi {{first_name}} {{last_name}}, {{job_title}} at {{company_name}}? "
        "{{recruiter_name}}",
    )
    html = administrator_client.get(reverse("sms:template_edit", args=[template.pk])).content
    html = html.decode()
    assert "Hi Maya Patel, Senior Backend Engineer at Acme Talent? Alex Admin" in html
    assert "65/160 · 1 segment" in html  # the rendered text's counter, not the raw body's
    assert '"recruiter_name": "Alex Admin"' in html  # sample values for the live preview


def test_the_preview_counts_the_rendered_text(administrator_client):
    response = administrator_client.post(
        reverse("sms:template_create"),
        {"name": "Long", "body": "{{full_name}} " + "y" * 150, "preview": "1"},
    )
    # "Maya Patel " + 150 characters = 161: two segments of 153.
    assert "161/306 · 2 segments" in response.content.decode()


def test_the_preview_flags_a_ucs2_character(administrator_client):
    response = administrator_client.post(
        reverse("sms:template_create"),
        {"name": "Emoji", "body": "Hi {{first_name}} 👋", "preview": "1"},
    )
    assert "10/70 · 1 segment · UCS-2 because of “👋”" in response.content.decode()


def test_the_preview_explains_a_value_the_sender_lacks(client, administrator):
    administrator.first_name = administrator.last_name = ""
    administrator.save()
    client.force_login(administrator)
    response = client.post(
        reverse("sms:template_create"),
        {"name": "Signed", "body": "Hi, {{recruiter_name}} here", "preview": "1"},
    )
    html = response.content.decode()
    assert "{{recruiter_name}} is empty: the sender has no full name in their profile." in html
