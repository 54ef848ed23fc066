"""Who may use each SMS UI endpoint: anonymous users are sent to log in, users without the role
get 403, recruiters and administrators get through; nothing changes for those refused."""

import pytest
from django.urls import reverse
from django.utils import timezone

from sms.models import Message, Thread
from tests.helpers.messages import add_message


@pytest.fixture
def objects(active_twilio, candidate, recruiter):
    failed = add_message(candidate, "failed", "Call me?")
    scheduled = add_message(
        candidate, "queued", "Later", scheduled_for=timezone.now() + timezone.timedelta(days=1)
    )
    unknown = Thread.objects.create(phone_number="+61400000999")
    return {
        "candidate": candidate.pk,
        "thread": failed.thread_id,
        "failed": failed.pk,
        "scheduled": scheduled.pk,
        "unknown": unknown.pk,
    }


# (route, argument key, method, data, what a recruiter gets)
ENDPOINTS = [
    ("sms:inbox", None, "get", {}, 200),
    ("sms:inbox_poll", None, "get", {"v": "0"}, 200),
    ("sms:unread_badge", None, "get", {}, 200),
    ("sms:inbox_thread", "thread", "get", {}, 200),
    ("sms:inbox_thread_poll", "thread", "get", {"v": "0"}, 200),
    ("sms:thread_messages", "thread", "get", {}, 200),
    ("sms:link_thread", "unknown", "get", {"q": "ada"}, 200),
    ("sms:link_thread", "unknown", "post", {"candidate": "?"}, 302),
    ("sms:candidate_thread", "candidate", "get", {}, 200),
    ("sms:candidate_poll", "candidate", "get", {"v": "0"}, 200),
    ("sms:send_to_candidate", "candidate", "post", {"body": "Hi"}, 302),
    ("sms:compose_preview", "candidate", "post", {"body": "Hi {{first_name}}"}, 200),
    ("sms:message_retry", "failed", "post", {}, 302),
    ("sms:message_cancel", "scheduled", "post", {}, 302),
]
IDS = [f"{method}-{name}" for name, _, method, _, _ in ENDPOINTS]


def call(client, objects, name, key, method, data):
    url = reverse(name, args=[objects[key]] if key else [])
    data = {k: (objects["candidate"] if v == "?" else v) for k, v in data.items()}
    return getattr(client, method)(url, data)


def snapshot():
    return (
        sorted(Message.objects.values_list("pk", "status")),
        sorted(Thread.objects.values_list("pk", "candidate_id")),
    )


@pytest.mark.parametrize(("name", "key", "method", "data", "expected"), ENDPOINTS, ids=IDS)
def test_anonymous_users_are_sent_to_log_in(client, objects, name, key, method, data, expected):
    before = snapshot()
    response = call(client, objects, name, key, method, data)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert snapshot() == before


@pytest.mark.parametrize(("name", "key", "method", "data", "expected"), ENDPOINTS, ids=IDS)
def test_users_without_the_role_are_refused(
    outsider_client, objects, name, key, method, data, expected
):
    before = snapshot()
    assert call(outsider_client, objects, name, key, method, data).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("persona", ["recruiter_client", "administrator_client"])
@pytest.mark.parametrize(("name", "key", "method", "data", "expected"), ENDPOINTS, ids=IDS)
def test_recruiters_and_administrators_get_through(
    request, persona, objects, name, key, method, data, expected
):
    client = request.getfixturevalue(persona)
    assert call(client, objects, name, key, method, data).status_code == expected


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("sms:send_to_candidate", "candidate"),
        ("sms:compose_preview", "candidate"),
        ("sms:message_retry", "failed"),
        ("sms:message_cancel", "scheduled"),
    ],
)
def test_actions_need_post(recruiter_client, objects, name, key):
    assert recruiter_client.get(reverse(name, args=[objects[key]])).status_code == 405


def test_polling_endpoints_refuse_post(recruiter_client, objects):
    for name, args in (("sms:inbox_poll", []), ("sms:inbox_thread_poll", [objects["thread"]])):
        assert recruiter_client.post(reverse(name, args=args)).status_code == 405
