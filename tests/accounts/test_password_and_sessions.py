"""Change your password (other sessions end, this one stays), and sessions that end after the
idle period (SESSION_IDLE_HOURS)."""

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuthEvent, AuthEventKind
from tests.accounts.conftest import sign_in

pytestmark = pytest.mark.django_db

PASSWORD = "/accounts/password/"
NEW = "a-much-better-passphrase-42"


def test_changing_the_password_ends_the_other_sessions_only(recruiter):
    here, elsewhere = Client(), Client()
    sign_in(here, recruiter.username)
    sign_in(elsewhere, recruiter.username)
    assert elsewhere.get("/candidates/").status_code == 200

    response = here.post(
        PASSWORD, {"old_password": "password", "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    assert here.get("/candidates/").status_code == 200
    gone = elsewhere.get("/candidates/")
    assert gone.status_code == 302 and gone.url.startswith(reverse("login"))
    event = AuthEvent.objects.get(kind=AuthEventKind.PASSWORD_CHANGED)
    assert event.user == recruiter
    recruiter.refresh_from_db()
    assert recruiter.check_password(NEW)


def test_a_wrong_old_password_or_a_weak_new_one_is_a_field_error(recruiter_client, recruiter):
    wrong = recruiter_client.post(
        PASSWORD, {"old_password": "nope", "new_password1": NEW, "new_password2": NEW}
    )
    assert wrong.status_code == 400
    assert wrong.context["form"].errors["old_password"]
    weak = recruiter_client.post(
        PASSWORD, {"old_password": "password", "new_password1": "123", "new_password2": "123"}
    )
    assert weak.status_code == 400 and weak.context["form"].errors["new_password2"]
    recruiter.refresh_from_db()
    assert recruiter.check_password("password")


def test_the_password_page_needs_a_signed_in_user(client):
    response = client.get(PASSWORD)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_session_ends_after_the_idle_period(client, recruiter, settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, recruiter.username)
    with time_machine.travel(start + timezone.timedelta(hours=7, minutes=59), tick=False):
        assert client.get("/candidates/").status_code == 200  # activity: the period restarts
    with time_machine.travel(start + timezone.timedelta(hours=15, minutes=50), tick=False):
        assert client.get("/candidates/").status_code == 200
    with time_machine.travel(start + timezone.timedelta(hours=23, minutes=52), tick=False):
        response = client.get("/candidates/")
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_requests_within_a_minute_do_not_rewrite_the_session(client, recruiter):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, recruiter.username)
        expiry = Session.objects.get().expire_date
    with time_machine.travel(start + timezone.timedelta(seconds=30), tick=False):
        client.get("/candidates/")
        assert Session.objects.get().expire_date == expiry
    with time_machine.travel(start + timezone.timedelta(seconds=61), tick=False):
        client.get("/candidates/")
        assert Session.objects.get().expire_date > expiry
