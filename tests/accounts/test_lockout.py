"""Sign-in throttling (django-axes): 5 failures for a username from an address lock that pair for
15 minutes, on the sign-in page and the Django admin's login; an administrator unlocks."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuthEvent, AuthEventKind
from tests.accounts.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(db):
    return UserFactory(username="ada")


def test_it_refuses_the_right_password_after_five_wrong_ones(client, ada):
    for _ in range(5):
        response = sign_in(client, "ada", "wrong")
    assert response.status_code == 429  # the fifth failure locks
    response = sign_in(client, "ada", "password")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "Sign-in locked" in page
    assert "Try again in 15 minutes" in page and "ask an administrator to unlock it" in page


def test_four_failures_do_not_lock_and_a_success_resets_the_count(client, ada):
    for _ in range(4):
        assert sign_in(client, "ada", "wrong").status_code == 200
    assert sign_in(client, "ada", "password").status_code == 302
    client.logout()
    for _ in range(4):
        assert sign_in(client, "ada", "wrong").status_code == 200
    assert sign_in(client, "ada", "password").status_code == 302


def test_the_lock_is_per_username_and_address(client, ada):
    UserFactory(username="bea")
    for _ in range(5):
        sign_in(client, "ada", "wrong")
    # Another account from the same address, and the same account from elsewhere, still sign in.
    assert sign_in(client, "bea", "password").status_code == 302
    client.logout()
    response = sign_in(client, "ada", "password", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302


def test_the_lock_ends_by_itself_after_15_minutes(client, ada):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            sign_in(client, "ada", "wrong")
    with time_machine.travel(start + timezone.timedelta(minutes=14), tick=False):
        assert sign_in(client, "ada", "password").status_code == 429
    with time_machine.travel(start + timezone.timedelta(minutes=15, seconds=1), tick=False):
        assert sign_in(client, "ada", "password").status_code == 302


def test_the_django_admin_login_is_throttled_too(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": "root", "password": "wrong", "next": "/django-admin/"})
    response = client.post(url, {"username": "root", "password": "password"})
    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_administrator_unlocks_from_the_lockouts_page(client, ada, administrator):
    for _ in range(5):
        sign_in(client, "ada", "wrong")
    admin_client = type(client)()
    admin_client.force_login(administrator)
    page = admin_client.get(reverse("accounts:lockouts"))
    assert page.status_code == 200
    assert "Unlock ada" in page.content.decode()

    response = admin_client.post(
        reverse("accounts:unlock"), {"username": "ada", "ip_address": "127.0.0.1"}
    )
    assert response.status_code == 302
    assert "Nobody is locked out" in admin_client.get(reverse("accounts:lockouts")).content.decode()
    assert sign_in(client, "ada", "password").status_code == 302
    unlocked = AuthEvent.objects.get(kind=AuthEventKind.UNLOCKED)
    assert (unlocked.username, unlocked.actor) == ("ada", administrator)


def test_only_administrators_see_or_use_the_lockouts(recruiter_client, ada, client):
    for _ in range(5):
        sign_in(client, "ada", "wrong")
    assert recruiter_client.get(reverse("accounts:lockouts")).status_code == 403
    response = recruiter_client.post(reverse("accounts:unlock"), {"username": "ada"})
    assert response.status_code == 403
    assert sign_in(client, "ada", "password").status_code == 429


def test_failures_lockouts_and_sign_ins_are_logged(client, ada, caplog):
    caplog.set_level("INFO", logger="nextal.auth")
    sign_in(client, "ada", "password")
    client.logout()
    for _ in range(5):
        sign_in(client, "ada", "wrong")
    sign_in(client, "ada", "password")
    kinds = list(AuthEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == [
        AuthEventKind.SIGNED_IN,
        AuthEventKind.SIGNED_OUT,
        *[AuthEventKind.SIGN_IN_FAILED] * 5,
        AuthEventKind.LOCKED_OUT,
        AuthEventKind.SIGN_IN_FAILED,
    ]
    refused = AuthEvent.objects.order_by("id").last()
    assert refused.detail == "refused: locked out"
    assert refused.user == ada and refused.ip_address == "127.0.0.1"
    lines = [r.getMessage() for r in caplog.records if r.name == "nextal.auth"]
    assert any(line.startswith("locked_out username='ada' ip=127.0.0.1") for line in lines)
    assert not any("wrong" in line or "password" in line.split()[0] for line in lines)


def test_a_wrong_password_is_never_stored(client, ada):
    from axes.models import AccessAttempt

    sign_in(client, "ada", "hunter2-secret")
    attempt = AccessAttempt.objects.get()
    assert "hunter2-secret" not in attempt.post_data
    assert not AuthEvent.objects.filter(detail__contains="hunter2").exists()


def test_behind_a_trusted_proxy_the_address_is_the_one_the_proxy_appended(client, ada, settings):
    settings.TRUSTED_PROXY = True
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for i in range(5):
        # A client cannot escape the count by writing its own X-Forwarded-For entries.
        sign_in(
            client, "ada", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 203.0.113.7", **proxy
        )
    locked = sign_in(client, "ada", "password", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    assert locked.status_code == 429
    other = sign_in(client, "ada", "password", HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy)
    assert other.status_code == 302
    assert AuthEvent.objects.filter(ip_address="203.0.113.7").count() == 7


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(client, ada):
    for i in range(5):
        sign_in(client, "ada", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
    assert sign_in(client, "ada", "password").status_code == 429
