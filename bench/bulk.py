"""4. Bulk send: queueing one SMS for each of 5,000 candidates through the bulk service (what the
request waits for: the rows committed; the tasks are published behind it); baseline: a bare
bulk_create of the same thread and message rows. Then: how long after the request returned
every task was in the broker (no worker runs here).

Three interleaved rounds (bare inserts, then the service, each round on 5,000 candidates of its
own): a single pair of timings moved by half between runs on a shared 2-core machine, where a
second of someone else's load lands on one side only. The figures are the medians; every
round's are kept beside them."""

from __future__ import annotations

import statistics
import time

from bench.common import BULK_CANDIDATES, make_candidates

ROUNDS = 3
BODY = "Hi {{first_name}}, quick question about {{company_name}}."


def bare_inserts(candidates) -> float:
    """Seconds for the bare inserts the service must at least do (threads + messages), rolled
    back afterwards."""
    from django.db import transaction

    from sms.models import Direction, Message, MessageStatus, Thread

    started = time.perf_counter()
    with transaction.atomic():
        threads = Thread.objects.bulk_create(
            Thread(candidate=c, phone_number=c.phone) for c in candidates
        )
        Message.objects.bulk_create(
            (
                Message(
                    thread=t,
                    direction=Direction.OUTBOUND,
                    status=MessageStatus.QUEUED,
                    body="Hi, quick question",
                    to_number=t.phone_number,
                )
                for t in threads
            ),
            batch_size=1000,
        )
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def queue_and_publish(candidates, sender) -> dict:
    """The service's request, then how long until all its tasks were in the broker."""
    from nextal.celery import app
    from sms.outbox.bulk import queue_bulk
    from tests.helpers.broker import queue_depth

    app.control.purge()
    started = time.perf_counter()
    bulk = queue_bulk(candidates, BODY, sent_by=sender)
    returned = time.perf_counter()
    deadline = returned + 60
    while queue_depth(app) < bulk.queued_count and time.perf_counter() < deadline:
        time.sleep(0.02)
    published_after = time.perf_counter() - returned
    in_broker = queue_depth(app)
    app.control.purge()  # no worker runs here: drop the tasks it published
    return {
        "seconds": returned - started,
        "published_after": published_after,
        "queued": bulk.queued_count,
        "skipped": len(bulk.skipped),
        "in_broker": in_broker,
    }


def bench_bulk() -> dict:
    from django.contrib.auth import get_user_model

    sender = get_user_model().objects.get_or_create(username="bench-bulk")[0]
    bare, service = [], []
    for round_number in range(ROUNDS):
        candidates = make_candidates(BULK_CANDIDATES, 7185550000 + round_number * 10_000)
        bare.append(bare_inserts(candidates))
        service.append(queue_and_publish(candidates, sender))
    seconds = statistics.median(s["seconds"] for s in service)
    baseline = statistics.median(bare)
    return {
        "candidates": BULK_CANDIDATES,
        "rounds": ROUNDS,
        "queued": min(s["queued"] for s in service),
        "skipped": max(s["skipped"] for s in service),
        "seconds": round(seconds, 3),
        "baseline_bare_inserts_seconds": round(baseline, 3),
        "ratio_to_baseline": round(seconds / baseline, 2),
        "rounds_seconds": [round(s["seconds"], 3) for s in service],
        "rounds_baseline_seconds": [round(b, 3) for b in bare],
        "all_published_seconds_after_return": round(max(s["published_after"] for s in service), 2),
        "tasks_in_broker": min(s["in_broker"] for s in service),
        "includes": "validation, merge fields, opt-out checks, threads, messages, timeline; "
        "publishing runs after the request returns; medians of interleaved rounds",
    }
