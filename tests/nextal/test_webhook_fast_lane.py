"""Provider webhooks skip the middleware that serves people (sessions, messages, auth, CSP…):
only a view that is CSRF-exempt, needs no login and is marked `fast_lane` does, its signature
check still runs, the host is still checked, and every other view keeps every middleware."""

from urllib.parse import urlencode

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from core.fast_lane import fast_lane, takes_fast_lane
from tests.fakes.twilio_webhooks import inbound_params, signature
from tests.helpers.providers import CANDIDATE_PHONE, TWILIO_FROM, configure

pytestmark = pytest.mark.urls("tests.nextal.fast_lane_urls")


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_a_marked_webhook_view_skips_sessions_authentication_and_csp(csrf_client, db):
    response = csrf_client.post("/webhooks/probe/fast/", {"a": "b"})
    assert response.status_code == 200
    assert response.content == b"none"  # neither SessionMiddleware nor AuthenticationMiddleware
    assert "Content-Security-Policy" not in response
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies
    # What comes before the fast lane still applies: security headers and no-store.
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_a_view_missing_a_mark_keeps_every_middleware(csrf_client, db):
    # Not CSRF-exempt: CsrfViewMiddleware refuses the POST without a token.
    assert csrf_client.post("/webhooks/probe/csrf-protected/").status_code == 403
    # Needs a login: LoginRequiredMiddleware sends the anonymous caller to sign in.
    response = csrf_client.post("/webhooks/probe/login-required/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # Not marked: served, but through sessions, auth and CSP.
    response = csrf_client.post("/webhooks/probe/unmarked/")
    assert response.content == b"session,user"
    assert "Content-Security-Policy" in response


@override_settings(ALLOWED_HOSTS=["nextal.example.com"])
def test_the_fast_lane_checks_the_host_as_the_site_does(csrf_client, db):
    assert csrf_client.post("/webhooks/probe/fast/", HTTP_HOST="evil.example").status_code == 400
    assert csrf_client.post("/webhooks/probe/fast/", HTTP_HOST="nextal.example.com").content == (
        b"none"
    )


def test_the_provider_webhooks_take_it_and_still_check_their_signature(
    csrf_client, db, django_assert_max_num_queries
):
    from django.conf import settings

    configure("twilio")
    path = reverse("sms:twilio_inbound")
    fields = inbound_params("SM" + "f" * 32, sender=CANDIDATE_PHONE, to=TWILIO_FROM, body="Hi")
    body = urlencode(fields)
    form = "application/x-www-form-urlencoded"
    unsigned = csrf_client.post(path, data=body, content_type=form)
    assert unsigned.status_code == 403
    wrong = csrf_client.post(
        path, data=body, content_type=form, headers={"X-Twilio-Signature": "bm90IGl0"}
    )
    assert wrong.status_code == 403
    signed = {"X-Twilio-Signature": signature(settings.PUBLIC_BASE_URL + path, fields)}
    with django_assert_max_num_queries(1):  # the INSERT (settings loaded by the first post)
        response = csrf_client.post(path, data=body, content_type=form, headers=signed)
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response


def test_only_a_view_with_every_mark_takes_it():
    def view(request):
        return None

    assert not takes_fast_lane(view)
    assert not takes_fast_lane(fast_lane(view))  # not CSRF-exempt, needs a login
    view.csrf_exempt = True
    assert not takes_fast_lane(view)
    view.login_required = False
    assert takes_fast_lane(view)
