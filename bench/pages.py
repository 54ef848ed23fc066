"""3. Pages: the inbox with many threads and messages, a conversation with 2,000 messages, a kanban
board with 1,000 applications and the candidate list: queries per page and median server time."""

from __future__ import annotations

import statistics
import time

from bench.common import (
    INBOX_MESSAGES,
    INBOX_THREADS,
    KANBAN_APPLICATIONS,
    OUR_NUMBER,
    PAGE_SAMPLES,
    make_candidates,
    percentile,
)


def measure_page(client, url: str) -> dict:
    """A page's queries and server time over PAGE_SAMPLES requests. `queries` is what a request
    of the page costs (the median sample); `queries_max` adds what falls into some requests
    only: the session's once-a-minute refresh (BEGIN, UPDATE, COMMIT; accounts.middleware) and
    a reload of a settings row cached for a few seconds (the SMS policy, a provider's row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches and connections
    times, queries = [], []
    for _ in range(PAGE_SAMPLES):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
        queries.append(len(ctx.captured_queries))
    return {
        "url": url,
        "html_bytes": len(response.content),
        "queries": statistics.median_low(queries),
        "queries_max": max(queries),
        "median_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(percentile(times, 0.95) * 1000, 1),
    }


def bench_pages() -> dict:
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from candidates.models import Application, Job, Stage
    from sms.models import Direction, Message, MessageStatus, Thread

    user = get_user_model().objects.create_user("bench-pages", password="x")
    user.groups.add(Group.objects.get(name="Recruiters"))
    client = Client()
    client.force_login(user)

    # Inbox: INBOX_THREADS threads with INBOX_MESSAGES messages; one thread holds 2,000.
    started = time.perf_counter()
    candidates = make_candidates(INBOX_THREADS, 6175550000)
    now = timezone.now()
    threads = Thread.objects.bulk_create(
        Thread(
            candidate=c,
            phone_number=c.phone,
            last_message_at=now - dt.timedelta(minutes=i),
            last_message_preview="Thanks, talk soon",
            last_message_direction="inbound",
            unread_count=i % 3,
        )
        for i, c in enumerate(candidates)
    )
    big, rest = threads[0], threads[1:]
    per_thread = max(1, -(-(INBOX_MESSAGES - 2000) // len(rest)))  # ceil: at least the total
    batch = []

    def flush():
        Message.objects.bulk_create(batch, batch_size=5000)
        batch.clear()

    for i in range(2000):
        batch.append(_message(big, i, now, Direction, MessageStatus))
    for thread in rest:
        for i in range(per_thread):
            batch.append(_message(thread, i, now, Direction, MessageStatus))
        if len(batch) >= 20000:
            flush()
    flush()
    data_seconds = time.perf_counter() - started

    job = Job.objects.create(title="Bench board")
    stages = Stage.objects.bulk_create(Stage(job=job, name=f"S{i}", position=i) for i in range(6))
    Application.objects.bulk_create(
        Application(candidate=c, job=job, stage=stages[i % 6], position=i)
        for i, c in enumerate(candidates[:KANBAN_APPLICATIONS])
    )
    results = {
        "data": {
            "threads": Thread.objects.count(),
            "messages": Message.objects.count(),
            "seconds_to_create": round(data_seconds, 1),
        },
        "inbox": measure_page(client, reverse("sms:inbox")),
        "kanban_1000": measure_page(client, reverse("candidates:job_board", args=[job.pk])),
        "candidate_list": measure_page(client, reverse("candidates:list")),
    }
    conversation = _conversation_url(big)
    if conversation:
        results["conversation_2000"] = measure_page(client, conversation)
    board, listing = results["kanban_1000"], results["candidate_list"]
    board["ratio_to_candidate_list"] = round(board["median_ms"] / listing["median_ms"], 2)
    return results


def _message(thread, i, now, Direction, MessageStatus):
    import datetime as dt

    from sms.models import Message

    inbound = i % 2 == 0
    return Message(
        thread=thread,
        direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
        status=MessageStatus.RECEIVED if inbound else MessageStatus.DELIVERED,
        body=f"Message {i}: can we move the interview to Thursday afternoon?",
        provider="twilio",
        from_number=thread.phone_number if inbound else OUR_NUMBER,
        to_number=OUR_NUMBER if inbound else thread.phone_number,
        segments=1,
        created_at=now - dt.timedelta(seconds=i),
    )


def _conversation_url(thread):
    from django.urls import NoReverseMatch, reverse

    for name, args in (("sms:thread", [thread.pk]), ("sms:inbox_thread", [thread.pk])):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None
