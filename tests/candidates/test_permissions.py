"""Who may open and change candidate and job pages."""

import pytest
from django.urls import reverse

from tests.factories import ApplicationFactory


@pytest.fixture
def application(db):
    return ApplicationFactory()


def urls(application):
    candidate, job = application.candidate.pk, application.job.pk
    return {
        "list": reverse("candidates:list"),
        "create": reverse("candidates:create"),
        "detail": reverse("candidates:detail", kwargs={"pk": candidate}),
        "edit": reverse("candidates:edit", kwargs={"pk": candidate}),
        "phone_check": reverse("candidates:phone_check") + "?phone=2025550143",
        "job_list": reverse("candidates:job_list"),
        "job_board": reverse("candidates:job_board", kwargs={"pk": job}),
        "move": reverse("candidates:application_move", kwargs={"pk": application.pk}),
    }


RECRUITER_PAGES = ["list", "create", "detail", "edit", "phone_check", "job_list", "job_board"]
RECRUITER_PAGES += ["move"]
ADMIN_ONLY_PAGES = ["job_create", "job_edit"]


def admin_urls(application):
    return {
        "job_create": reverse("candidates:job_create"),
        "job_edit": reverse("candidates:job_edit", kwargs={"pk": application.job.pk}),
    }


@pytest.mark.parametrize("name", RECRUITER_PAGES)
def test_anonymous_users_are_sent_to_login(client, application, name):
    url = urls(application)[name]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("name", RECRUITER_PAGES)
def test_users_without_a_role_are_forbidden(outsider_client, application, name):
    assert outsider_client.get(urls(application)[name]).status_code == 403


@pytest.mark.parametrize("name", RECRUITER_PAGES)
def test_recruiters_may_use_the_recruiting_pages(recruiter_client, application, name):
    assert recruiter_client.get(urls(application)[name]).status_code == 200


@pytest.mark.parametrize("name", RECRUITER_PAGES + ADMIN_ONLY_PAGES)
def test_administrators_may_use_every_page(administrator_client, application, name):
    url = {**urls(application), **admin_urls(application)}[name]
    assert administrator_client.get(url).status_code == 200


@pytest.mark.parametrize("name", ADMIN_ONLY_PAGES)
def test_recruiters_do_not_create_or_edit_jobs(recruiter_client, application, name):
    assert recruiter_client.get(admin_urls(application)[name]).status_code == 403


def test_posts_need_the_change_permissions_too(outsider_client, application):
    candidate = application.candidate
    edit = reverse("candidates:edit", kwargs={"pk": candidate.pk})
    response = outsider_client.post(edit, {"first_name": "X", "last_name": "Y"})
    assert response.status_code == 403
    apply_url = reverse("candidates:apply", kwargs={"pk": candidate.pk})
    assert outsider_client.post(apply_url, {"job": application.job.pk}).status_code == 403
    candidate.refresh_from_db()
    assert candidate.first_name != "X"


def test_the_buttons_follow_the_permissions(client, recruiter, administrator, application):
    board = reverse("candidates:job_board", kwargs={"pk": application.job.pk})
    jobs = reverse("candidates:job_list")
    client.force_login(recruiter)
    assert "Edit job" not in client.get(board).content.decode()
    assert "New job" not in client.get(jobs).content.decode()
    client.force_login(administrator)
    assert "Edit job" in client.get(board).content.decode()
    assert "New job" in client.get(jobs).content.decode()
