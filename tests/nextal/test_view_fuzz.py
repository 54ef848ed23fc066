"""Every form and query parameter of every view, fuzzed: nothing a signed-in user (or anyone) can
send is a 500, and authentic requests still work afterwards.

Routes come from the URLconf itself (a new view is fuzzed without touching this file); parameter
names from the code and templates (`request.GET.get("…")`, `data.getlist("…")`, `name="…"`). A
sweep sends every parameter with each hostile value to every route, GET and POST (a view that
refuses one parameter first could hide another: hypothesis then sends a few at a time, mixing
names and values at random). The Django admin, logout and the webhooks (fuzzed with their
signatures in tests/faults/test_webhook_fuzz.py) are left out.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import get_resolver, reverse
from django.urls.resolvers import URLResolver
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from sms.models import BulkSend, Message, SmsTemplate, Thread
from tests.factories import ApplicationFactory, JobFactory, UserFactory
from tests.helpers.messages import add_message
from tests.helpers.providers import configure

pytestmark = pytest.mark.fuzz

ROOT = settings.BASE_DIR
LEFT_OUT = ("django-admin/", "accounts/logout/", "webhooks/")
SOURCES = ["candidates", "core", "integrations", "nextal", "sms"]

HOSTILE = [
    "abc",
    "9" * 5000,
    "-1",
    "2024-02-30T10:00:00",
    "1e309",
    "\x00",
    "\u202e<script>alert(1)</script>",
    "💥" * 2_000,
    "1,2,abc,,",
]
# Also drawn from, not swept (each sweep value costs a request to every route, twice).
MORE_HOSTILE = ["", "NaN", "99999999999999999999", "2024-13-01", "' OR 1=1 --", "on"]


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


ROUTES = sorted(r for r in set(_walk(get_resolver().url_patterns)) if not r.startswith(LEFT_OUT))


def _parameter_names() -> list[str]:
    names = set()
    code = re.compile(r"""(?:GET|POST|data)\.(?:get|getlist)\(\s*["']([A-Za-z_][\w-]*)["']""")
    field = re.compile(r"""\bname="([A-Za-z_][\w-]*)\"""")
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            names.update(code.findall(path.read_text()))
    for path in (ROOT / "templates").rglob("*.html"):
        names.update(field.findall(path.read_text()))
    names.discard("csrfmiddlewaretoken")
    return sorted(names)


NAMES = _parameter_names()


@pytest.fixture
def world(db, fake_provider):
    """One of everything the routes take an id of, as an administrator and superuser sees it."""
    configure("twilio")
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    job = JobFactory(title="Fuzzed role")
    application = ApplicationFactory(job=job, candidate__phone="+12025550143")
    candidate = application.candidate
    message = add_message(candidate, "failed", "Hello", sent_by=admin, error_message="x")
    unknown = Thread.objects.create(phone_number="+61400000999", unread_count=1)
    template = SmsTemplate.objects.create(name="Fuzz", body="Hi {{first_name}}")
    bulk = BulkSend.objects.create(created_by=admin, job=job, body="Hi", queued_count=1)
    ids = {
        "candidates/": candidate.pk,
        "jobs/": job.pk,
        "applications/": application.pk,
        "inbox/": unknown.pk,
        "messages/": message.pk,
        "administration/sms-templates/": template.pk,
        "sms/bulk-sends/": bulk.pk,
    }
    return {"admin": admin, "ids": ids, "candidate": candidate, "job": job}


def concrete(route: str, world) -> str:
    """The route with its parameters filled: the fixture's object, a provider kind."""
    prefix = next((p for p in world["ids"] if route.startswith(p)), "")
    url = re.sub(r"<id:\w+>", str(world["ids"].get(prefix, 1)), route)
    url = url.replace("<slug:kind>", "twilio")
    return "/" + url


def request(client, method: str, url: str, params: dict):
    if method == "get":
        return client.get(url, params)
    return client.post(url, params, headers={"HX-Request": "true"})


def assert_never_500(response, method, url, params):
    shown = {k: (v[:40] + "…" if len(v) > 40 else v) for k, v in params.items()}
    assert response.status_code < 500, (method, url, shown)


def test_the_fuzz_covers_the_routes_and_parameters():
    """It fails (and so must be updated) when discovery breaks, not silently fuzzes nothing."""
    assert len(ROUTES) > 50
    assert {"q", "candidate", "previewed_at", "applications", "body", "page", "v"} <= set(NAMES)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("route", ROUTES)
def test_no_hostile_value_in_any_parameter_is_a_500(client, world, route, method):
    client.force_login(world["admin"])
    url = concrete(route, world)
    for value in HOSTILE:
        params = dict.fromkeys(NAMES, value)
        assert_never_500(request(client, method, url, params), method, url, params)


@hypothesis_settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=st.sampled_from(ROUTES),
    method=st.sampled_from(["get", "post"]),
    params=st.dictionaries(
        st.sampled_from(NAMES),
        st.one_of(
            st.sampled_from(HOSTILE + MORE_HOSTILE),
            st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
            st.integers().map(str),
            st.from_regex(r"\A\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?\Z"),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_random_requests_are_never_a_500(client, world, route, method, params):
    client.force_login(world["admin"])
    url = concrete(route, world)
    assert_never_500(request(client, method, url, params), method, url, params)


def test_ids_too_long_for_the_database_are_404s_not_500s(client, world):
    client.force_login(world["admin"])
    for route in [r for r in ROUTES if "<id:" in r]:
        url = "/" + re.sub(r"<id:\w+>", "9" * 5000, route)
        assert client.get(url).status_code == 404, url
        url = "/" + re.sub(r"<id:\w+>", "9" * 18, route)
        assert client.get(url).status_code < 500, url  # the largest id we route: no overflow


def test_authentic_requests_still_work(client, world):
    client.force_login(world["admin"])
    response = client.post(
        reverse("candidates:create"), {"first_name": "Grace", "last_name": "Hopper"}
    )
    assert response.status_code == 302
    listing = client.get(reverse("candidates:list"), {"q": "hopper"}).content.decode()
    assert "Grace Hopper" in listing
    preview = client.post(
        reverse("sms:compose_preview", args=[world["candidate"].pk]), {"body": "Hi"}
    )
    assert preview.status_code == 200
    assert Message.objects.exists()
