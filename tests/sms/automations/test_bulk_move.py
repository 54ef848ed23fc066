"""A bulk move of 200 cards queues 200 automated texts in the move's transaction (a few
statements, not one per card), published after it commits. The move's time with and without
rules is printed; `python -m bench moves` measures the ratio properly (warmed up, rounds
alternating; speed belongs to benchmarks: the bound here only catches per-card queries gone
quadratic)."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidates.bulk_moves import move_applications
from candidates.models import Application, StageEntry, TimelineEvent
from sms.models import Message, MessageStatus
from tests.factories import CandidateFactory

CARDS = 200


@pytest.fixture
def board(job, stage, recruiter):
    applied = stage("Applied")
    candidates = CandidateFactory.create_batch(CARDS * 2)
    Application.objects.bulk_create(
        Application(candidate=c, job=job, stage=applied, position=i)
        for i, c in enumerate(candidates)
    )
    ids = list(
        Application.objects.filter(candidate__in=candidates)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return ids[:CARDS], ids[CARDS:]


def timed_move(job, ids, target, recruiter):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        moved = move_applications(job, ids, stage=target, by=recruiter)
        elapsed = time.perf_counter() - started
    return moved, elapsed, len(queries)


def test_a_200_card_move_queues_200_texts_published_after_commit(
    job, board, stage, rule, recruiter, active_twilio, django_capture_on_commit_callbacks
):
    with_rules, without_rules = board
    # Without rules first (into Phone screen, which has none), then with (Interview).
    _, plain_time, plain_queries = timed_move(job, without_rules, stage("Phone screen"), recruiter)
    rule(delay=60)
    with django_capture_on_commit_callbacks(execute=False) as published:
        moved, rules_time, rules_queries = timed_move(
            job, with_rules, stage("Interview"), recruiter
        )
    print(
        f"\n200-card move: {plain_time * 1000:.0f} ms without rules ({plain_queries} queries), "
        f"{rules_time * 1000:.0f} ms with a rule queueing 200 texts ({rules_queries} queries), "
        f"{rules_time / plain_time:.2f}×"
    )
    assert len(moved) == CARDS
    assert Message.objects.filter(status=MessageStatus.QUEUED).count() == CARDS
    assert StageEntry.objects.filter(stage=stage("Interview"), left_at__isnull=True).count() == (
        CARDS
    )
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.SMS_QUEUED).count() == CARDS
    assert rules_queries < plain_queries + 20  # a few statements per rule, not per card
    assert rules_time < plain_time * 10 + 5  # generous: catches only per-card work
    assert published == []  # delayed texts wait for the sweeper


def test_an_immediate_rule_publishes_once_after_the_move_commits(
    job, board, stage, rule, recruiter, active_twilio, django_capture_on_commit_callbacks
):
    with_rules, _ = board
    rule()
    with django_capture_on_commit_callbacks(execute=False) as published:
        move_applications(job, with_rules[:50], stage=stage("Interview"), by=recruiter)
    assert len(published) == 1  # one callback publishing all 50
    ready = Message.objects.filter(status=MessageStatus.QUEUED, enqueued_at__isnull=False)
    assert ready.count() == 50
