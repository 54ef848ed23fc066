"""8. Moving 200 cards at once (issue 14): "Move selected to Interview" on a stage with an
automation rule, which plans 200 automated texts with every trust rule and writes their
threads, messages and timeline entries in the move's transaction, against the same move into a
stage with no rules, in the same run. What is timed is what the request waits for: the move's
transaction and its on-commit work (an immediate rule's tasks are published behind it).

Rounds alternate the two moves (each on 200 fresh cards, the order swapped every round) after
one warm-up round; the medians are compared. `BENCH_PROFILE_MOVES=1` prints a profile of the
moves with the rule."""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import threading
import time

from bench.common import make_candidates

CARDS = 200
ROUNDS = int(os.environ.get("BENCH_MOVE_ROUNDS", 7))


def bench_moves() -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from candidates import services
    from candidates.bulk_moves import move_applications
    from candidates.models import Application
    from nextal.celery import app
    from sms.models import AutomationRule, Message, SmsTemplate

    user = get_user_model().objects.get_or_create(
        username="bench-moves", defaults={"first_name": "Riley", "last_name": "Recruiter"}
    )[0]
    job = services.create_job(title="Senior Backend Engineer", recruiter=user)
    stages = {stage.name: stage for stage in job.stages.all()}
    candidates = make_candidates(CARDS * 2 * (ROUNDS + 1), 7186660000)
    Application.objects.bulk_create(
        Application(candidate=c, job=job, stage=stages["Applied"], position=i)
        for i, c in enumerate(candidates)
    )
    ids = list(job.applications.order_by("pk").values_list("pk", flat=True))
    template = SmsTemplate.objects.create(
        name="Bench interview invite",
        body="Hi {{first_name}}, can we set up an interview for {{job_title}}?",
    )
    AutomationRule.objects.create(
        name="Interview invite",
        job=job,
        stage=stages["Interview"],
        template=template,
        created_by=user,
    )
    profile = cProfile.Profile() if os.environ.get("BENCH_PROFILE_MOVES") else None

    def timed(batch, stage, profiled=False):
        with CaptureQueriesContext(connection) as queries:
            if profiled and profile:
                profile.enable()
            started = time.perf_counter()
            moved = move_applications(job, batch, stage=stage, by=user)
            elapsed = time.perf_counter() - started
            if profiled and profile:
                profile.disable()
        assert len(moved) == len(batch)
        _wait_for_publishers()
        return elapsed, len(queries)

    app.control.purge()
    plain, ruled, plain_queries, ruled_queries = [], [], 0, 0
    for number in range(ROUNDS + 1):
        start = number * 2 * CARDS
        without, with_rule = ids[start : start + CARDS], ids[start + CARDS : start + 2 * CARDS]
        runs = [
            ("plain", without, stages["Phone screen"]),
            ("rule", with_rule, stages["Interview"]),
        ]
        for kind, batch, stage in runs if number % 2 else runs[::-1]:
            elapsed, queries = timed(batch, stage, profiled=kind == "rule" and number > 0)
            if number == 0:
                continue  # warm-up
            if kind == "plain":
                plain.append(elapsed)
                plain_queries = queries
            else:
                ruled.append(elapsed)
                ruled_queries = queries
        app.control.purge()  # no worker runs here: drop the published send tasks
    if profile:
        stats = pstats.Stats(profile).sort_stats("cumulative")
        stats.print_stats(45)
        stats.print_callees("_queue_rule|plan_bulk|record_events|threads_showing")
    texts = Message.objects.filter(automation_rule__job=job).count()
    plain_ms, ruled_ms = statistics.median(plain) * 1000, statistics.median(ruled) * 1000
    return {
        "cards_per_move": CARDS,
        "rounds": ROUNDS,
        "without_rules": {
            "median_ms": round(plain_ms, 1),
            "min_ms": round(min(plain) * 1000, 1),
            "max_ms": round(max(plain) * 1000, 1),
            "queries": plain_queries,
        },
        "with_rule": {
            "median_ms": round(ruled_ms, 1),
            "min_ms": round(min(ruled) * 1000, 1),
            "max_ms": round(max(ruled) * 1000, 1),
            "queries": ruled_queries,
        },
        "texts_queued": texts,
        "ratio_to_move_without_rules": round(ruled_ms / plain_ms, 2),
    }


def _wait_for_publishers(timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(t.name == "sms-publisher" for t in threading.enumerate()):
            return
        time.sleep(0.01)
