"""The bulk send's progress: counts by status in one query, polling only while in flight."""

from django.urls import reverse

from sms.models import BulkSend, Direction, Message, MessageStatus, Thread
from tests.factories import CandidateFactory

# Measured: session, user, permissions (two), the bulk send with all its counts (one aggregate
# query), and the navigation's unread count that every request renders with.
POLL_QUERIES = 6


def bulk_with(statuses, recruiter, job=None):
    bulk = BulkSend.objects.create(
        created_by=recruiter, job=job, body="Hi", queued_count=len(statuses)
    )
    for status in statuses:
        candidate = CandidateFactory()
        thread = Thread.objects.create(candidate=candidate, phone_number=candidate.phone)
        Message.objects.create(
            thread=thread, direction=Direction.OUTBOUND, status=status, body="Hi", bulk_send=bulk
        )
    return bulk


def counts(html):
    import re

    return {
        name: int(value) for name, value in re.findall(r'data-testid="count-(\w+)">(\d+)<', html)
    }


def test_it_counts_messages_by_status(recruiter_client, recruiter, job):
    S = MessageStatus
    bulk = bulk_with(
        [S.QUEUED, S.SENDING, S.SENT, S.SENT, S.DELIVERED, S.FAILED, S.UNDELIVERED, S.UNKNOWN],
        recruiter,
        job,
    )
    html = recruiter_client.get(
        reverse("sms:bulk_progress", args=[bulk.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert counts(html) == {"queued": 2, "sent": 2, "delivered": 1, "failed": 2, "unknown": 1}
    assert 'hx-trigger="every 2s"' in html  # two still in flight: keep polling
    assert "Sending 8 messages…" in html
    assert 'aria-valuenow="75"' in html


def test_it_stops_polling_when_nothing_is_in_flight(recruiter_client, recruiter, job):
    bulk = bulk_with([MessageStatus.SENT, MessageStatus.DELIVERED], recruiter, job)
    html = recruiter_client.get(
        reverse("sms:bulk_progress", args=[bulk.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "hx-trigger" not in html
    assert "All 2 messages handed to the provider." in html
    assert counts(html) == {"queued": 0, "sent": 1, "delivered": 1, "failed": 0}


def test_a_poll_is_one_query_for_the_counts_whatever_the_size(
    recruiter_client, recruiter, job, django_assert_max_num_queries
):
    for size in (3, 300):
        bulk = bulk_with([MessageStatus.QUEUED] * size, recruiter, job)
        with django_assert_max_num_queries(POLL_QUERIES):
            response = recruiter_client.get(
                reverse("sms:bulk_progress", args=[bulk.pk]), headers={"HX-Request": "true"}
            )
        assert counts(response.content.decode())["queued"] == size


def test_without_javascript_it_is_a_page_with_the_skipped(recruiter_client, recruiter, job):
    bulk = bulk_with([MessageStatus.SENT], recruiter, job)
    bulk.skipped = [{"candidate_id": 1, "name": "Olga Optout", "reason": "Opted out."}]
    bulk.save()
    html = recruiter_client.get(reverse("sms:bulk_progress", args=[bulk.pk])).content.decode()
    assert "<html" in html and "Back to the board" in html
    assert "1 skipped" in html and "Olga Optout" in html


def test_an_unknown_bulk_send_is_404(recruiter_client):
    assert recruiter_client.get(reverse("sms:bulk_progress", args=[999])).status_code == 404
