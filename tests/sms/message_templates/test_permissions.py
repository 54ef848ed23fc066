"""Shared templates are managed by administrators (sms.manage_templates); recruiters see them
and keep personal templates that only they see and change; users without a role get nothing."""

import pytest
from django.urls import reverse

from sms.models import SmsTemplate


@pytest.fixture
def pages(invite):
    """(method, url) of every SMS Templates page."""
    pk = invite.pk
    return [
        ("get", reverse("sms:template_list")),
        ("get", reverse("sms:template_create")),
        ("post", reverse("sms:template_create")),
        ("get", reverse("sms:template_edit", args=[pk])),
        ("post", reverse("sms:template_edit", args=[pk])),
        ("post", reverse("sms:template_duplicate", args=[pk])),
        ("post", reverse("sms:template_active", args=[pk])),
        ("get", reverse("sms:template_delete", args=[pk])),
        ("post", reverse("sms:template_delete", args=[pk])),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(client, pages):
    for method, url in pages:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_users_without_a_role_get_403(outsider_client, pages, invite):
    for method, url in pages:
        assert getattr(outsider_client, method)(url).status_code == 403, url
    invite.refresh_from_db()
    assert invite.is_active is True
    assert SmsTemplate.objects.count() == 1


def test_recruiters_cannot_change_shared_templates(recruiter_client, pages, invite):
    for method, url in pages[3:]:  # edit, duplicate, switch, delete a shared template
        assert getattr(recruiter_client, method)(url).status_code == 403, url
    invite.refresh_from_db()
    assert invite.is_active is True
    assert SmsTemplate.objects.count() == 1


def test_a_recruiters_templates_are_personal_and_private(
    recruiter_client, recruiter, administrator, invite
):
    from django.test import Client

    administrator_client = Client()
    administrator_client.force_login(administrator)
    response = recruiter_client.post(
        reverse("sms:template_create"),
        {"name": "My nudge", "body": "Hi {{first_name}}!", "is_active": "on", "personal": ""},
    )
    assert response.status_code == 302
    mine = SmsTemplate.objects.get(name="My nudge")
    assert mine.owner == recruiter
    listed = recruiter_client.get(reverse("sms:template_list")).content.decode()
    assert "My nudge" in listed and invite.name in listed
    assert recruiter_client.get(reverse("sms:template_edit", args=[mine.pk])).status_code == 200
    others = administrator_client.get(reverse("sms:template_list")).content.decode()
    assert "My nudge" not in others
    assert administrator_client.get(reverse("sms:template_edit", args=[mine.pk])).status_code == (
        404
    )


def test_administrators_can_open_every_page(administrator_client, invite):
    for url in (
        reverse("sms:template_list"),
        reverse("sms:template_create"),
        reverse("sms:template_edit", args=[invite.pk]),
        reverse("sms:template_delete", args=[invite.pk]),
    ):
        assert administrator_client.get(url).status_code == 200, url


def test_the_navigation_links_the_page_for_administrators_and_recruiters(
    administrator_client, client, recruiter
):
    url = reverse("sms:template_list")
    assert f'href="{url}">SMS Templates</a>' in administrator_client.get(url).content.decode()
    client.force_login(recruiter)
    html = client.get(reverse("candidates:list")).content.decode()
    assert f'href="{url}" >Templates</a>' in html
