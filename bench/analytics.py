"""5. SMS Analytics at 200,000 messages: the figures (`sms_report`) and the whole page over a
90-day range, queries and median server time.

The data: 200,000 messages in the 90 days ending yesterday (so the other benchmarks' messages,
all written today, stay outside the range), two thirds outbound from 20 recruiters with 30
templates about 100 jobs through both providers, one third replies answering them, and 2,000
opt-outs.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time
from pathlib import Path

from bench.common import PAGE_SAMPLES, make_candidates, percentile

ANALYTICS_MESSAGES = 200_000
DAYS = 90
THREADS = 5_000


def _backend_cpu(pid: int) -> float:
    """CPU seconds the PostgreSQL backend `pid` has used (utime + stime, /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _time(function, samples: int) -> tuple[list[float], list[float], int]:
    """Wall times, CPU times (this process + its database backend) and the most queries.

    On a shared machine the wall time includes waiting for the CPU; the CPU time is what the
    same work costs on an idle core (parallel workers are off, so one backend does it all)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    function()  # warm caches and connections
    times, cpu, queries = [], [], 0
    for _ in range(samples):
        with CaptureQueriesContext(connection) as ctx:
            started, started_cpu = time.perf_counter(), time.process_time()
            started_backend = _backend_cpu(backend)
            function()
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu + _backend_cpu(backend) - started_backend)
        queries = max(queries, len(ctx.captured_queries))
    return times, cpu, queries


def _summary(times: list[float], cpu: list[float], queries: int) -> dict:
    return {
        "queries": queries,
        "median_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(percentile(times, 0.95) * 1000, 1),
        "cpu_median_ms": round(statistics.median(cpu) * 1000, 1),
        "load_average": round(os.getloadavg()[0], 1),
    }


def seed() -> tuple[dt.date, dt.date, float]:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from candidates.models import Job
    from sms.models import Message, MessageStatus, SmsTemplate, Thread

    rng = random.Random(15)
    started = time.perf_counter()
    User = get_user_model()
    recruiters = User.objects.bulk_create(
        User(username=f"bench-recruiter-{i}", first_name="Recruiter", last_name=str(i))
        for i in range(20)
    )
    templates = SmsTemplate.objects.bulk_create(
        SmsTemplate(name=f"Bench template {i}", body="Hi {{first_name}}") for i in range(30)
    )
    jobs = Job.objects.bulk_create(Job(title=f"Bench job {i}") for i in range(100))
    candidates = make_candidates(THREADS, 5105550000)
    threads = Thread.objects.bulk_create(
        Thread(candidate=c, phone_number=c.phone) for c in candidates
    )
    end = timezone.localdate() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=DAYS - 1)
    first = dt.datetime.combine(start, dt.time(8), tzinfo=timezone.get_current_timezone())
    span = DAYS * 86_400 - 16 * 3600
    outbound_count = ANALYTICS_MESSAGES * 2 // 3
    statuses = (
        [MessageStatus.DELIVERED] * 14
        + [MessageStatus.SENT] * 3
        + [MessageStatus.FAILED, MessageStatus.UNDELIVERED, MessageStatus.UNKNOWN]
    )

    def when(i: int, total: int) -> dt.datetime:
        return first + dt.timedelta(seconds=span * i / total + rng.random() * 60)

    # created_at is auto_now_add, which would overwrite the history written here with "now".
    created_at = Message._meta.get_field("created_at")
    created_at.auto_now_add = False
    try:
        _write(rng, threads, recruiters, templates, jobs, statuses, outbound_count, when)
    finally:
        created_at.auto_now_add = True
    return start, end, time.perf_counter() - started


def _write(rng, threads, recruiters, templates, jobs, statuses, outbound_count, when) -> None:
    from django.db import transaction

    from sms.models import Direction, Message, MessageStatus, OptOut

    with transaction.atomic():
        outbound = []
        for i in range(outbound_count):
            status = rng.choice(statuses)
            created = when(i, outbound_count)
            outbound.append(
                Message(
                    thread=rng.choice(threads),
                    direction=Direction.OUTBOUND,
                    status=status,
                    body="Are you free for a call this week?",
                    provider=rng.choice(("twilio", "twilio", "clicksend")),
                    sent_by=rng.choice(recruiters),
                    template=rng.choice(templates) if rng.random() < 0.7 else None,
                    job=rng.choice(jobs) if rng.random() < 0.9 else None,
                    segments=1,
                    sent_at=created if status != MessageStatus.FAILED else None,
                    error_code="30007" if status == MessageStatus.UNDELIVERED else "",
                    created_at=created,
                )
            )
        Message.objects.bulk_create(outbound, batch_size=5000)
        replies = [
            Message(
                thread_id=answered.thread_id,
                direction=Direction.INBOUND,
                status=MessageStatus.RECEIVED,
                body="Yes, Thursday works",
                provider=answered.provider,
                in_reply_to=answered,
                created_at=answered.created_at + dt.timedelta(minutes=rng.randint(1, 600)),
            )
            for answered in rng.sample(outbound, ANALYTICS_MESSAGES - outbound_count)
        ]
        Message.objects.bulk_create(replies, batch_size=5000)
        OptOut.objects.bulk_create(
            OptOut(
                phone_number=thread.phone_number,
                source=OptOut.Source.KEYWORD,
                provider="twilio",
                changed_at=when(i, 2000),
            )
            for i, thread in enumerate(rng.sample(threads, 2000))
        )


def bench_analytics() -> dict:
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from sms.analytics.figures import sms_report
    from sms.models import Message

    start, end, seconds = seed()
    with connection.cursor() as cursor:
        # Fresh statistics, as autovacuum keeps them on a live database (a bulk load leaves the
        # planner guessing a handful of rows).
        cursor.execute("ANALYZE")
    in_range = Message.objects.filter(
        created_at__date__gte=start, created_at__date__lte=end, is_test=False
    ).count()
    report = sms_report(start, end)
    admin = Group.objects.get(name="Administrators").user_set.model.objects.create_user(
        "bench-analytics", password="x"
    )
    admin.groups.add(Group.objects.get(name="Administrators"))
    client = Client()
    client.force_login(admin)
    # An administrator who has passed the second factor (accounts.two_factor) this session.
    from accounts.two_factor import state

    session = client.session
    session[state.SESSION_KEY] = state.DONE
    session.save()
    url = f"{reverse('sms:analytics')}?start={start.isoformat()}&end={end.isoformat()}"

    def page():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    figures = _summary(*_time(lambda: sms_report(start, end), PAGE_SAMPLES))
    whole_page = _summary(*_time(page, PAGE_SAMPLES))
    return {
        "data": {
            "messages_in_range": in_range,
            "messages_in_table": Message.objects.count(),
            "days": (end - start).days + 1,
            "seconds_to_create": round(seconds, 1),
        },
        "figures": figures,
        "page": whole_page,
        "check": {"sent": report.total.sent, "replies": report.total.replies},
    }
