"""Two-factor sign-in: enrolling an authenticator (QR and secret, recovery codes shown once),
the sign-in step, recovery codes, turning it off, and administrators made to enrol."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuthEvent, AuthEventKind
from accounts.two_factor import recovery
from tests.accounts.conftest import sign_in, totp_for

pytestmark = pytest.mark.django_db

TWO_FACTOR = "/accounts/two-factor/"


def test_a_recruiter_enrols_with_a_code_from_the_app(recruiter_client, recruiter):
    page = recruiter_client.get(TWO_FACTOR)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and 'data-testid="totp-secret"' in html
    device = TOTPDevice.objects.get(user=recruiter, confirmed=False)

    wrong = recruiter_client.post(reverse("accounts:two_factor_confirm"), {"code": "000000"})
    assert wrong.status_code == 400
    assert "That code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=recruiter, confirmed=True).exists()

    # (a wrong code makes the next try wait a second: django-otp's throttling)
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=2)):
        response = recruiter_client.post(
            reverse("accounts:two_factor_confirm"), {"code": totp_for(device)}, follow=True
        )
    html = response.content.decode()
    assert "Two-factor sign-in is on." in html and "shown only now" in html
    device.refresh_from_db()
    assert device.confirmed
    codes = response.context["new_codes"]
    assert len(codes) == 10 and all(code in html for code in codes)
    # Shown once: the page does not show them again.
    again = recruiter_client.get(TWO_FACTOR).content.decode()
    assert codes[0] not in again and "10 recovery codes left" in again
    assert AuthEvent.objects.filter(kind=AuthEventKind.TWO_FACTOR_ENABLED, user=recruiter).exists()


def test_recovery_codes_are_stored_as_keyed_hashes(recruiter, enrolled):
    _, codes = enrolled(recruiter)
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert not stored & {recovery.normalise(code) for code in codes}
    assert not stored & set(codes)
    assert stored == {recovery.stored_form(code) for code in codes}


def test_signing_in_asks_for_the_code_before_anything_else(client, recruiter, enrolled):
    device, _ = enrolled(recruiter)
    response = sign_in(client, recruiter.username)
    assert response.status_code == 302
    # Every page sends the half-signed-in session to the code step, keeping where it was going.
    candidates = client.get("/candidates/?q=ada")
    assert candidates.status_code == 302
    assert candidates.url == reverse("accounts:verify") + "?next=%2Fcandidates%2F%3Fq%3Dada"
    htmx = client.get("/inbox/", headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"] == reverse("accounts:verify")
    assert client.get("/django-admin/").status_code == 302

    wrong = client.post(reverse("accounts:verify"), {"code": "123456", "next": "/candidates/"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    assert client.get("/candidates/").status_code == 302

    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=5)):
        ok = client.post(
            reverse("accounts:verify"),
            {"code": totp_for(device, offset_steps=1), "next": "/candidates/"},
        )
        assert ok.status_code == 302 and ok.url == "/candidates/"
        assert client.get("/candidates/").status_code == 200
    kinds = set(AuthEvent.objects.filter(user=recruiter).values_list("kind", flat=True))
    assert {AuthEventKind.TWO_FACTOR_FAILED, AuthEventKind.TWO_FACTOR_VERIFIED} <= kinds


def test_the_session_key_changes_when_the_second_factor_is_accepted(client, recruiter, enrolled):
    device, _ = enrolled(recruiter)
    sign_in(client, recruiter.username)
    half = client.session.session_key
    client.post(reverse("accounts:verify"), {"code": totp_for(device, offset_steps=1)})
    assert client.session.session_key != half
    assert client.get("/candidates/").status_code == 200


def test_a_used_code_is_refused_the_second_time(client, recruiter, enrolled):
    device, _ = enrolled(recruiter)
    code = totp_for(device, offset_steps=1)
    sign_in(client, recruiter.username)
    assert client.post(reverse("accounts:verify"), {"code": code}).status_code == 302
    client.logout()
    sign_in(client, recruiter.username)
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=10)):
        assert client.post(reverse("accounts:verify"), {"code": code}).status_code == 400


def test_wrong_codes_are_throttled(client, recruiter, enrolled):
    device, _ = enrolled(recruiter)
    sign_in(client, recruiter.username)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post(reverse("accounts:verify"), {"code": "000000"})
        client.post(reverse("accounts:verify"), {"code": "000001"})
        # Two failures: the next try waits 2 seconds, even with the right code.
        refused = client.post(
            reverse("accounts:verify"), {"code": totp_for(device, offset_steps=1)}
        )
        assert refused.status_code == 400 and "Wait" in refused.content.decode()
    with time_machine.travel(start + timezone.timedelta(seconds=3), tick=False):
        ok = client.post(reverse("accounts:verify"), {"code": totp_for(device, offset_steps=1)})
        assert ok.status_code == 302


def test_a_recovery_code_signs_in_once(client, recruiter, enrolled):
    _, codes = enrolled(recruiter)
    sign_in(client, recruiter.username)
    response = client.post(reverse("accounts:verify"), {"code": codes[3].upper()})
    assert response.status_code == 302
    assert client.get("/candidates/").status_code == 200
    event = AuthEvent.objects.get(kind=AuthEventKind.RECOVERY_CODE_USED)
    assert event.detail == "9 recovery codes left"
    client.logout()
    sign_in(client, recruiter.username)
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=5)):
        assert client.post(reverse("accounts:verify"), {"code": codes[3]}).status_code == 400


def test_replacing_recovery_codes_needs_the_password(recruiter_client, recruiter, enrolled):
    _, old = enrolled(recruiter)
    url = reverse("accounts:recovery_codes")
    assert recruiter_client.post(url, {"password": "nope"}).status_code == 400
    response = recruiter_client.post(url, {"password": "password"}, follow=True)
    new = response.context["new_codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert recovery.remaining(recruiter) == 10
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert recovery.stored_form(old[0]) not in stored


def test_a_recruiter_turns_it_off_with_the_password(recruiter_client, recruiter, enrolled):
    enrolled(recruiter)
    url = reverse("accounts:two_factor_disable")
    wrong = recruiter_client.post(url, {"password": "nope"})
    assert wrong.status_code == 400 and "That is not your password." in wrong.content.decode()
    assert TOTPDevice.objects.filter(user=recruiter).exists()
    recruiter_client.post(url, {"password": "password"})
    assert not TOTPDevice.objects.filter(user=recruiter).exists()
    assert not StaticToken.objects.filter(device__user=recruiter).exists()
    assert AuthEvent.objects.filter(kind=AuthEventKind.TWO_FACTOR_DISABLED).exists()
    recruiter_client.logout()
    assert sign_in(recruiter_client, recruiter.username).status_code == 302
    assert recruiter_client.get("/candidates/").status_code == 200


def test_without_an_authenticator_a_recruiter_signs_in_with_the_password(client, recruiter):
    sign_in(client, recruiter.username)
    assert client.get("/candidates/").status_code == 200


@pytest.fixture
def required(settings):
    settings.REQUIRE_2FA_FOR_ADMINS = True


def test_an_administrator_is_sent_to_enrol_when_it_is_required(client, administrator, required):
    sign_in(client, administrator.username)
    page = client.get("/administration/integrations/")
    assert page.status_code == 302 and page.url.startswith(TWO_FACTOR)
    enrol = client.get(TWO_FACTOR).content.decode()
    assert "Administrators must set up two-factor sign-in" in enrol
    device = TOTPDevice.objects.get(user=administrator, confirmed=False)
    client.post(reverse("accounts:two_factor_confirm"), {"code": totp_for(device)})
    assert client.get("/administration/integrations/").status_code == 200


def test_an_administrator_moving_to_a_new_app_must_enrol_it_at_once(
    administrator_client, administrator, enrolled, required
):
    old_device, _ = enrolled(administrator)
    page = administrator_client.get(TWO_FACTOR).content.decode()
    assert "Administrators must keep two-factor sign-in on" in page
    assert "Turn off" not in page
    administrator_client.post(reverse("accounts:two_factor_disable"), {"password": "password"})
    assert not TOTPDevice.objects.filter(pk=old_device.pk).exists()
    # Nothing else opens until the new app is set up.
    blocked = administrator_client.get("/administration/integrations/")
    assert blocked.status_code == 302 and blocked.url.startswith(TWO_FACTOR)
    assert "<svg" in administrator_client.get(TWO_FACTOR).content.decode()
    new_device = TOTPDevice.objects.get(user=administrator, confirmed=False)
    administrator_client.post(
        reverse("accounts:two_factor_confirm"), {"code": totp_for(new_device)}
    )
    assert administrator_client.get("/administration/integrations/").status_code == 200


def test_a_django_admin_superuser_counts_as_an_administrator(client, required):
    from tests.factories import UserFactory

    UserFactory(username="root", is_staff=True, is_superuser=True)
    client.post(reverse("admin:login"), {"username": "root", "password": "password"})
    response = client.get("/django-admin/")
    assert response.status_code == 302 and response.url.startswith(TWO_FACTOR)


def test_recruiters_are_not_made_to_enrol(client, recruiter, required):
    sign_in(client, recruiter.username)
    assert client.get("/candidates/").status_code == 200
