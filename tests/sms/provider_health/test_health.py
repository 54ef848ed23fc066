"""Each provider card's health: last reply and receipt, 24 h and 7 day outcomes, top failure
reasons in plain words, and the warnings that save a support call; in three queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.models import Integration
from sms.models import Message
from sms.provider_health.figures import provider_health
from tests.factories import CandidateFactory
from tests.helpers.messages import add_message


@pytest.fixture
def candidate(db):
    return CandidateFactory()


def sent(candidate, kind="twilio", status="delivered", error="", ago=timedelta(hours=1), **extra):
    at = timezone.now() - ago
    message = add_message(candidate, status, provider=kind, error_code=error, sent_at=at, **extra)
    Message.objects.filter(pk=message.pk).update(created_at=at)
    return message


def health(kind="twilio"):
    return provider_health(list(Integration.objects.all()))[kind]


def test_it_counts_the_last_24_hours_and_7_days(candidate):
    sent(candidate, status="delivered")
    sent(candidate, status="sent")
    sent(candidate, status="failed", error="30007", ago=timedelta(days=2))
    sent(candidate, status="unknown", ago=timedelta(hours=3))
    sent(candidate, status="delivered", ago=timedelta(days=9))  # too old
    sent(candidate, kind="clicksend", status="delivered")  # another provider
    failed_before_sending = sent(candidate, status="failed", error="21211")
    Message.objects.filter(pk=failed_before_sending.pk).update(sent_at=None)

    figures = health()

    assert (figures.day.sent, figures.day.delivered, figures.day.failed, figures.day.unknown) == (
        3,
        1,
        1,
        1,
    )
    assert (figures.week.sent, figures.week.delivered, figures.week.failed) == (4, 1, 2)
    assert health("clicksend").week.delivered == 1


def test_top_failure_reasons_are_in_plain_words(candidate):
    for _ in range(3):
        sent(candidate, status="failed", error="30007")
    sent(candidate, status="undelivered", error="30003")
    sent(candidate, status="failed", error="21610")
    sent(candidate, status="failed", error="21610")
    sent(candidate, status="failed", error="99999")

    assert health().top_failures == [
        ("the carrier filtered the message (spam filtering)", "30007", 3),
        ("the recipient opted out (replied STOP)", "21610", 2),
        ("the handset was unreachable (may be temporary)", "30003", 1),
    ]


def test_last_reply_and_last_receipt(candidate):
    add_message(candidate, direction="inbound", provider="twilio")
    receipted = sent(candidate)
    at = timezone.now() - timedelta(minutes=5)
    Message.objects.filter(pk=receipted.pk).update(receipt_at=at)

    figures = health()

    assert figures.last_inbound_at is not None
    assert figures.last_receipt_at == at
    assert health("clicksend").last_inbound_at is None


def activate(kind, ago):
    Integration.objects.filter(kind=kind).update(is_active=True, activated_at=timezone.now() - ago)


def test_no_receipts_since_activation_is_a_warning_with_the_count(candidate):
    activate("twilio", timedelta(days=2))
    for _ in range(142):
        sent(candidate, status="sent", ago=timedelta(hours=2))
    sent(candidate, status="sent", ago=timedelta(minutes=1))  # too recent to expect a receipt

    [warning] = health().warnings

    assert warning.startswith("No delivery receipts received since activation (142 sent)")
    assert "webhooks may not be connected" in warning


def test_a_receipt_since_activation_clears_that_warning(candidate):
    activate("twilio", timedelta(days=2))
    for _ in range(5):
        sent(candidate, status="sent", ago=timedelta(hours=2))
    Message.objects.filter(pk=sent(candidate).pk).update(receipt_at=timezone.now())

    assert health().warnings == []


def test_the_last_20_sends_failing_with_one_code_is_a_warning(candidate):
    sent(candidate, status="delivered", ago=timedelta(hours=5))
    for _ in range(20):
        sent(candidate, status="failed", error="21606")

    assert health().warnings == [
        "The last 20 sends failed with 21606: the sender is not on this account or cannot text "
        "that destination."
    ]


def test_mixed_failures_or_a_success_among_them_is_no_warning(candidate):
    for _ in range(10):
        sent(candidate, status="failed", error="21606")
    sent(candidate, status="delivered")
    assert health().warnings == []


def test_three_queries_for_every_card_whatever_the_data(candidate, django_assert_num_queries):
    activate("twilio", timedelta(days=2))
    for kind in ("twilio", "clicksend"):
        for status in ("delivered", "failed", "unknown", "sent"):
            sent(candidate, kind=kind, status=status, error="30007" if status == "failed" else "")
        add_message(candidate, direction="inbound", provider=kind)
    integrations = list(Integration.objects.all())

    with django_assert_num_queries(3):
        provider_health(integrations)


def test_the_card_shows_the_health(administrator_client, candidate):
    for _ in range(2):
        sent(candidate, status="failed", error="30007")
    add_message(candidate, direction="inbound", provider="twilio")

    html = administrator_client.get(reverse("integrations:list")).content.decode()
    twilio = html[html.index('id="integration-twilio"') :]
    twilio = twilio[: twilio.index("</article>")]

    assert "Health" in twilio
    assert "The carrier filtered the message (spam filtering)" in twilio
    assert 'data-testid="health-table"' in twilio
    assert "Last reply received" in twilio
