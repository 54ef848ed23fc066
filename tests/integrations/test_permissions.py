"""Who may use the Integrations page and its panels: every URL, GET and POST."""

import pytest
from django.urls import reverse

from integrations.models import AuditEntry, Integration

# (url name, kind, method, data, what an administrator gets)
ENDPOINTS = [
    ("integrations:list", None, "get", None, 200),
    ("integrations:edit", "twilio", "get", None, 200),
    ("integrations:edit", "clicksend", "get", None, 200),
    ("integrations:edit", "twilio", "post", {"phone_number": "+12025550143"}, 302),
    ("integrations:edit", "clicksend", "post", {"account_id": "someone"}, 302),
    ("integrations:edit_secret", "twilio", "get", None, 200),
    ("integrations:edit_secret", "clicksend", "get", None, 200),
    ("integrations:edit_secret", "twilio", "post", {"secret": ""}, 200),  # shows the error
    ("integrations:edit_secret", "clicksend", "post", {"secret": ""}, 200),
    ("integrations:regenerate_webhook_token", "clicksend", "get", None, 200),
    ("integrations:regenerate_webhook_token", "clicksend", "post", {}, 302),
]
IDS = [f"{method}-{name.split(':')[1]}-{kind or ''}" for name, kind, method, *_ in ENDPOINTS]


def url_for(name, kind):
    return reverse(name, kwargs={"kind": kind} if kind else None)


@pytest.fixture
def rows(twilio_row, clicksend_row):
    return Integration.objects.all()


def snapshot():
    return list(Integration.objects.order_by("kind").values()), AuditEntry.objects.count()


@pytest.mark.parametrize(("name", "kind", "method", "data", "status"), ENDPOINTS, ids=IDS)
def test_anonymous_users_are_sent_to_login(client, rows, name, kind, method, data, status):
    url = url_for(name, kind)
    before = snapshot()

    response = getattr(client, method)(url, data)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    assert snapshot() == before


@pytest.mark.parametrize(("name", "kind", "method", "data", "status"), ENDPOINTS, ids=IDS)
@pytest.mark.parametrize("persona", ["recruiter_client", "outsider_client"])
def test_users_without_integrations_access_get_403(
    request, persona, rows, name, kind, method, data, status
):
    client = request.getfixturevalue(persona)
    before = snapshot()

    response = getattr(client, method)(url_for(name, kind), data)

    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(("name", "kind", "method", "data", "status"), ENDPOINTS, ids=IDS)
def test_administrators_may_use_everything(
    administrator_client, rows, name, kind, method, data, status
):
    response = getattr(administrator_client, method)(url_for(name, kind), data)

    assert response.status_code == status
    if status == 302:
        assert response["Location"] == reverse("integrations:list")


def test_twilio_has_no_webhook_token_to_regenerate(administrator_client, rows):
    url = reverse("integrations:regenerate_webhook_token", kwargs={"kind": "twilio"})
    assert administrator_client.get(url).status_code == 404
    assert administrator_client.post(url).status_code == 404


def test_an_unknown_provider_is_404(administrator_client, rows):
    assert administrator_client.get(url_for("integrations:edit", "nexmo")).status_code == 404


def test_the_list_page_refuses_post(administrator_client, rows):
    assert administrator_client.post(reverse("integrations:list")).status_code == 405
