"""Per-user rate limits (django-ratelimit, core/rate_limits.py) on every SMS send endpoint and on
candidate and inbox search, with a readable 429 page or htmx message."""

import json

import pytest
import time_machine
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from core.rate_limits import MESSAGE
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db

SEND_ENDPOINTS = [
    "/candidates/999999/messages/send/",
    "/messages/999999/retry/",
    "/applications/999999/sms/",
    "/jobs/999999/sms/",
    "/administration/integrations/twilio/test-sms/",
]


@pytest.fixture
def send_limit(settings):
    settings.RATE_LIMIT_SMS_SEND = "1/m"


@pytest.fixture
def search_limit(settings):
    settings.RATE_LIMIT_SEARCH = "2/m"


@pytest.mark.parametrize("url", SEND_ENDPOINTS)
def test_every_send_endpoint_is_limited_per_user(administrator_client, url, send_limit):
    first = administrator_client.post(url, {"body": "Hello"})
    assert first.status_code != 429
    second = administrator_client.post(url, {"body": "Hello"})
    assert second.status_code == 429
    assert MESSAGE in second.content.decode()
    assert second["Retry-After"] == "60"


def test_sends_are_counted_together_and_per_user(administrator_client, recruiter, send_limit):
    candidate = CandidateFactory()
    url = f"/candidates/{candidate.pk}/messages/send/"
    assert administrator_client.post(url, {"body": "Hi"}).status_code != 429
    assert administrator_client.post("/jobs/999999/sms/").status_code == 429
    other = Client()
    other.force_login(recruiter)
    assert other.post(url, {"body": "Hi"}).status_code != 429


def test_the_limit_lifts_after_its_window(recruiter_client, send_limit):
    url = SEND_ENDPOINTS[0]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        recruiter_client.post(url)
        assert recruiter_client.post(url).status_code == 429
    with time_machine.travel(start + timezone.timedelta(seconds=61), tick=False):
        assert recruiter_client.post(url).status_code != 429


def test_an_htmx_request_gets_a_message_for_the_flash_stack(recruiter_client, send_limit):
    url = SEND_ENDPOINTS[0]
    recruiter_client.post(url, headers={"HX-Request": "true"})
    response = recruiter_client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 429
    trigger = json.loads(response["HX-Trigger"])
    assert trigger == {"nextal:flash": {"text": MESSAGE, "kind": "error"}}
    assert response.content.decode() == MESSAGE
    assert response["Content-Type"].startswith("text/plain")


def test_showing_the_send_form_is_not_counted(recruiter_client, send_limit):
    for _ in range(3):
        assert recruiter_client.get("/applications/999999/sms/").status_code == 404


@pytest.mark.parametrize("path", ["/candidates/", "/inbox/", "/inbox/poll/"])
def test_search_is_limited_per_user(recruiter_client, path, search_limit):
    for _ in range(2):
        assert recruiter_client.get(path, {"q": "ada"}).status_code == 200
    limited = recruiter_client.get(path, {"q": "ada"})
    assert limited.status_code == 429 and MESSAGE in limited.content.decode()
    # Browsing without a search is not limited.
    assert recruiter_client.get(path).status_code == 200


def test_linking_a_sender_searches_under_the_same_limit(recruiter_client, search_limit):
    recruiter_client.get("/candidates/", {"q": "a"})
    recruiter_client.get("/inbox/", {"q": "b"})
    assert recruiter_client.get("/inbox/999999/link/", {"q": "c"}).status_code == 429


@pytest.mark.redis
def test_with_redis_the_counters_are_in_redis(recruiter, search_limit):
    from django.core.cache.backends.redis import RedisCache

    assert isinstance(caches["default"], RedisCache)
    # Two clients (two sessions, as two processes would have) share the user's counter.
    first, second = Client(), Client()
    first.force_login(recruiter)
    second.force_login(recruiter)
    assert first.get("/candidates/", {"q": "a"}).status_code == 200
    assert second.get("/candidates/", {"q": "a"}).status_code == 200
    assert first.get("/candidates/", {"q": "a"}).status_code == 429
