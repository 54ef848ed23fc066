"""4. Bulk send: queueing one SMS for each of 5,000 candidates through the bulk service (what the
request waits for: the rows committed; the tasks are published behind it); baseline: a bare
bulk_create of the same thread and message rows. Then: how long after the request returned
every task was in the broker (no worker runs here)."""

from __future__ import annotations

import time

from bench.common import BULK_CANDIDATES, make_candidates


def bench_bulk() -> dict:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from nextal.celery import app
    from sms.models import Direction, Message, MessageStatus, Thread
    from sms.outbox.bulk import queue_bulk
    from tests.helpers.broker import queue_depth

    sender = get_user_model().objects.get_or_create(username="bench-bulk")[0]
    candidates = make_candidates(BULK_CANDIDATES, 7185550000)

    # Baseline: the bare inserts the service must at least do (threads + messages).
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
        baseline = time.perf_counter() - started
        transaction.set_rollback(True)

    app.control.purge()
    started = time.perf_counter()
    bulk = queue_bulk(
        candidates, "Hi {{first_name}}, quick question about {{company_name}}.", sent_by=sender
    )
    service = time.perf_counter() - started
    returned = time.perf_counter()
    deadline = returned + 60
    while queue_depth(app) < bulk.queued_count and time.perf_counter() < deadline:
        time.sleep(0.02)
    published_after = time.perf_counter() - returned
    in_broker = queue_depth(app)
    app.control.purge()  # no worker runs here: drop the tasks it published
    return {
        "candidates": BULK_CANDIDATES,
        "queued": bulk.queued_count,
        "skipped": len(bulk.skipped),
        "seconds": round(service, 3),
        "baseline_bare_inserts_seconds": round(baseline, 3),
        "ratio_to_baseline": round(service / baseline, 2),
        "all_published_seconds_after_return": round(published_after, 2),
        "tasks_in_broker": in_broker,
        "includes": "validation, merge fields, opt-out checks, threads, messages, timeline; "
        "publishing runs after the request returns",
    }
