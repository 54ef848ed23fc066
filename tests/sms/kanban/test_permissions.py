"""Sending from the board needs sms.send_sms; anonymous visitors go to the login page."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from sms.models import BulkSend, Message
from tests.factories import UserFactory


@pytest.fixture
def endpoints(job, cards, recruiter):
    bulk = BulkSend.objects.create(created_by=recruiter, job=job, body="Hi")
    return [
        ("get", reverse("sms:kanban_card_send", args=[cards["Maya"].pk])),
        ("post", reverse("sms:kanban_card_send", args=[cards["Maya"].pk])),
        ("get", reverse("sms:kanban_bulk_send", args=[job.pk])),
        ("post", reverse("sms:kanban_bulk_send", args=[job.pk])),
        ("get", reverse("sms:bulk_progress", args=[bulk.pk])),
    ]


def test_anonymous_visitors_are_sent_to_login(client, endpoints):
    for method, url in endpoints:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def test_a_user_who_may_see_the_board_but_not_send_gets_403(
    client, active_twilio, endpoints, cards
):
    viewer = UserFactory(username="viewer")
    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_job", "view_application", "view_candidate"])
    )
    client.force_login(viewer)
    for method, url in endpoints:
        data = {"kind": "custom", "body": "Hi", "application": [cards["Maya"].pk], "step": "send"}
        response = getattr(client, method)(url, data if method == "post" else None)
        assert response.status_code == 403, url
    assert not Message.objects.exists()
    board = client.get(reverse("candidates:job_board", args=[cards["Maya"].job_id])).content
    assert b'data-action="send-sms"' not in board and b'data-action="bulk-sms"' not in board


def test_recruiters_and_administrators_may_send(
    recruiter_client, administrator_client, active_twilio, endpoints
):
    for client in (recruiter_client, administrator_client):
        for method, url in endpoints:
            if method == "get":
                assert client.get(url).status_code == 200, url


def test_the_board_offers_both_actions_to_senders(recruiter_client, job, cards):
    html = recruiter_client.get(reverse("candidates:job_board", args=[job.pk])).content.decode()
    # One shared card menu (kanban.js puts the card's id in place of 0), a ⋯ on every card.
    assert html.count('data-action="send-sms"') == 1
    assert f'data-href="{reverse("sms:kanban_card_send", args=[0])}"' in html
    assert html.count('class="kcard-menu"') == len(cards)
    # Without JavaScript a card's ⋯ is its move page, which links to the card's Send SMS.
    move = reverse("candidates:application_move", args=[cards["Maya"].pk])
    assert f'<a class="kcard-menu" href="{move}"' in html
    page = recruiter_client.get(move).content.decode()
    assert f'href="{reverse("sms:kanban_card_send", args=[cards["Maya"].pk])}"' in page
    assert 'data-action="bulk-sms"' in html
    assert f'hx-post="{reverse("sms:kanban_bulk_send", args=[job.pk])}"' in html
