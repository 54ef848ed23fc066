"""The inbox, the profile and the board keep their query bounds with every trust rule on:
quiet hours at night in the candidates' time, consent required, consent and opt-outs on record,
held messages waiting. Same bounds as tests/sms/conversations/test_queries.py and
tests/candidates/test_queries.py."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates.models import Candidate
from sms.consent import record_consent
from sms.models import ConsentEvent, Message, OptOut, Thread
from sms.outbox.queueing import queue_message
from sms.policy import save_policy
from tests.candidates.factories import bulk_applications, shown_cards
from tests.factories import JobFactory

# The bounds of the pages without the trust rules (see the modules named above).
INBOX_QUERIES = 9
CONVERSATION_PAGE_QUERIES = 16
PROFILE_QUERIES = 17
BOARD_QUERIES = 11  # 17b's columns, 11's opted-out numbers, 14's automation rules: one each

NIGHT = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)  # 23:00 in Toronto and New York


def count_queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.fixture
def everything_on(quiet_hours, active_twilio, recruiter, travel):
    travel(NIGHT)
    save_policy({"require_consent": True, "no_sunday_sends": True}, by=None)


def people(count: int, prefix: str, recruiter) -> list[Candidate]:
    candidates = Candidate.objects.bulk_create(
        Candidate(first_name=f"{prefix}{i}", last_name="Person", phone=f"+1416555{i:04d}")
        for i in range(count)
    )
    for i, candidate in enumerate(candidates):
        if i % 3 == 0:
            OptOut.objects.create(
                phone_number=candidate.phone, detail="STOP", source="keyword", changed_at=NIGHT
            )
        else:
            record_consent(candidate, source="verbal", note="On the call", by=recruiter)
            queue_message(candidate, f"Hello {i}", sent_by=recruiter)  # held: 23:00 there
    return candidates


def test_the_inbox_and_a_conversation_keep_their_bounds(everything_on, recruiter_client, recruiter):
    people(30, "Trust", recruiter)
    assert Message.objects.filter(held_for="quiet_hours").count() == 20
    assert ConsentEvent.objects.count() == 20
    recruiter_client.get(reverse("sms:inbox"))  # session and permissions warmed
    count, html = count_queries(recruiter_client, reverse("sms:inbox"))
    assert count <= INBOX_QUERIES and "Trust29" in html
    thread = Thread.objects.filter(candidate__first_name="Trust1").get()
    count, html = count_queries(recruiter_client, reverse("sms:inbox_thread", args=[thread.pk]))
    assert count <= CONVERSATION_PAGE_QUERIES
    assert "Held for quiet hours — goes out 08:00 Tue (Trust1&#x27;s time)" in html
    assert "Consent on record: verbal consent" in html


def test_the_profile_keeps_its_bound_with_history_holds_and_quiet_hours(
    everything_on, recruiter_client, recruiter
):
    consented, opted_out = (
        people(3, "Prof", recruiter)[1],
        Candidate.objects.get(first_name="Prof0"),
    )
    for n in range(30):  # a long ledger: only the latest entries are shown
        record_consent(consented, source="written", note=f"Form {n}", by=recruiter)
    recruiter_client.get(reverse("sms:inbox"))
    for candidate in (consented, opted_out):
        count, html = count_queries(
            recruiter_client, reverse("candidates:detail", args=[candidate.pk])
        )
        assert count <= PROFILE_QUERIES, candidate
    assert "Opted out" in html and "Only a START reply" in html


@pytest.mark.parametrize("size", [10, 500])
def test_the_board_keeps_its_bound(everything_on, recruiter_client, size):
    job = JobFactory()
    bulk_applications(job, size)
    recruiter_client.get(reverse("sms:inbox"))
    count, html = count_queries(recruiter_client, reverse("candidates:job_board", args=[job.pk]))
    assert count <= BOARD_QUERIES
    # Each column renders its first 50 cards ("Show more" loads the rest).
    assert html.count('<li class="kcard') == shown_cards(job)
