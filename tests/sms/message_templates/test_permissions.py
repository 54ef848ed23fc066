"""Only administrators (sms.manage_templates) reach the SMS Templates pages."""

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


@pytest.mark.parametrize("persona", ["recruiter_client", "outsider_client"])
def test_recruiters_and_users_without_a_role_get_403(request, persona, pages, invite):
    client = request.getfixturevalue(persona)
    for method, url in pages:
        assert getattr(client, method)(url).status_code == 403, url
    invite.refresh_from_db()
    assert invite.is_active is True
    assert SmsTemplate.objects.count() == 1


def test_administrators_can_open_every_page(administrator_client, invite):
    for url in (
        reverse("sms:template_list"),
        reverse("sms:template_create"),
        reverse("sms:template_edit", args=[invite.pk]),
        reverse("sms:template_delete", args=[invite.pk]),
    ):
        assert administrator_client.get(url).status_code == 200, url


def test_the_navigation_links_the_page_for_administrators_only(
    administrator_client, client, recruiter
):
    url = reverse("sms:template_list")
    assert f'href="{url}"' in administrator_client.get(url).content.decode()
    client.force_login(recruiter)
    assert f'href="{url}"' not in client.get(reverse("candidates:list")).content.decode()
