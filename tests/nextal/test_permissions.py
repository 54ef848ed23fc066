"""Who may see what: the permission matrix and the navigation that follows it."""

import pytest
from django.urls import reverse

ADMIN_PAGES = ["administration", "integrations:list", "sms:automation_defaults"]
# SMS Templates: administrators manage the shared ones, recruiters keep personal ones there.
RECRUITER_PAGES = ["candidates:list", "candidates:job_list", "sms:inbox", "sms:template_list"]


@pytest.mark.parametrize("name", ADMIN_PAGES + RECRUITER_PAGES + ["home"])
def test_it_redirects_anonymous_users_to_login(client, db, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_it_forbids_administration_to_recruiters(recruiter_client, name):
    response = recruiter_client.get(reverse(name))
    assert response.status_code == 403
    assert b"You don't have access to this page" in response.content


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_it_opens_administration_to_administrators(administrator_client, name):
    response = administrator_client.get(reverse(name), follow=True)
    assert response.status_code == 200


@pytest.mark.parametrize("name", RECRUITER_PAGES)
def test_it_opens_recruiting_pages_to_recruiters(recruiter_client, name):
    assert recruiter_client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ADMIN_PAGES + RECRUITER_PAGES)
def test_it_forbids_everything_to_users_without_a_role(outsider_client, name):
    assert outsider_client.get(reverse(name)).status_code == 403


def test_it_tells_users_without_a_role_to_ask_for_one(outsider_client):
    response = outsider_client.get(reverse("home"))
    assert response.status_code == 200
    assert b"no role yet" in response.content


def test_navigation_hides_administration_from_recruiters(recruiter_client):
    html = recruiter_client.get(reverse("candidates:list")).content.decode()
    assert 'href="/candidates/"' in html
    assert 'href="/inbox/"' in html
    assert "Administration" not in html
    assert reverse("integrations:list") not in html


def test_navigation_shows_administration_to_administrators(administrator_client):
    html = administrator_client.get(reverse("candidates:list")).content.decode()
    assert "Administration" in html
    assert f'href="{reverse("integrations:list")}"' in html
    assert f'href="{reverse("sms:template_list")}"' in html


def test_navigation_shows_nothing_to_users_without_a_role(outsider_client):
    html = outsider_client.get(reverse("home")).content.decode()
    for label in ("Candidates", "Inbox", "Administration"):
        assert f">{label}<" not in html


def test_login_page_and_health_are_public(client, db):
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("health")).json() == {"status": "ok"}


def test_demo_login_through_the_form(client, db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    response = client.post(
        reverse("login"), {"username": "recruiter", "password": "nextal-recruiter-demo"}
    )
    assert response.status_code == 302
    assert client.get(reverse("candidates:list")).status_code == 200
