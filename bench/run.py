"""`make bench`: Nextal's speed figures, each against a baseline measured in the same run.

1. Inbound webhook ingestion: gunicorn on PostgreSQL, an asyncio client posting correctly signed
   Twilio inbound webhooks at a fixed concurrency; baseline: a trivial Django view (/health/) on
   the same server. Afterwards every webhook must be exactly one message.
2. Outbound pipeline: 2,000 queued messages sent by Celery workers on Redis to a local fake Twilio
   that answers after a fixed delay; ideal = worker concurrency / provider delay. The fake's own
   counters must show 0 duplicates and 0 lost.
3. Pages: inbox with 10,000 threads and 200,000 messages, a conversation with 2,000 messages, a
   kanban board with 1,000 applications: queries per page and median server time.
4. Bulk send: queueing one SMS for each of 5,000 candidates through the bulk service; baseline: a
   bare bulk_create of the same 5,000 message rows.

Needs PostgreSQL and Redis on 127.0.0.1 (as in .ci/run). Uses its own database (nextal_bench) and
Redis db 9, prints a table and writes bench/results.json. Bounded: well under 10 minutes.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DB_NAME = "nextal_bench"
REDIS_URL = "redis://127.0.0.1:6379/9"
TWILIO_TOKEN = "bench-auth-token-0123456789abcdef"
TWILIO_SID = "AC" + "b" * 32
OUR_NUMBER = "+12025550000"

WEBHOOK_REQUESTS = int(os.environ.get("BENCH_WEBHOOK_REQUESTS", 3000))
WEBHOOK_CONCURRENCY = int(os.environ.get("BENCH_WEBHOOK_CONCURRENCY", 16))
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", 4))
OUTBOUND_MESSAGES = int(os.environ.get("BENCH_OUTBOUND_MESSAGES", 2000))
# Worker processes x threads each = the concurrency the ideal rate is computed from. Two
# processes because one Python process cannot use both cores (the GIL).
WORKER_PROCESSES = int(os.environ.get("BENCH_WORKER_PROCESSES", 2))
WORKER_THREADS = int(os.environ.get("BENCH_WORKER_THREADS", 8))
WORKER_CONCURRENCY = WORKER_PROCESSES * WORKER_THREADS
PROVIDER_DELAY = float(os.environ.get("BENCH_PROVIDER_DELAY", 0.05))
INBOX_THREADS = int(os.environ.get("BENCH_INBOX_THREADS", 10_000))
INBOX_MESSAGES = int(os.environ.get("BENCH_INBOX_MESSAGES", 200_000))
KANBAN_APPLICATIONS = 1000
BULK_CANDIDATES = 5000
PAGE_SAMPLES = 15


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def wait_for_http(url: str, timeout: float = 30) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (loopback only)
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def process(args: list[str], env: dict[str, str], name: str):
    log = open(ROOT / "bench" / f"{name}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


# --- environment and database -----------------------------------------------------------------


def bench_env(port: int, twilio_base_url: str = "http://127.0.0.1:9") -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = dict(os.environ)
    env.update(
        NEXTAL_IGNORE_DOTENV="1",
        DEBUG="false",
        SECRET_KEY=os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEYS=os.environ.get("BENCH_FIELD_KEY") or Fernet.generate_key().decode(),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        REDIS_URL=REDIS_URL,
        TWILIO_API_BASE_URL=twilio_base_url,
        DJANGO_SETTINGS_MODULE="nextal.settings",
        LOG_LEVEL="WARNING",
    )
    # The same keys for every process of this run (subprocesses and this one).
    os.environ["BENCH_SECRET_KEY"] = env["SECRET_KEY"]
    os.environ["BENCH_FIELD_KEY"] = env["FIELD_ENCRYPTION_KEYS"]
    return env


def fresh_database(env: dict[str, str]) -> None:
    for sql in (f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", f"CREATE DATABASE {DB_NAME}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True)
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [PY, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(["redis-cli", "-n", "9", "flushdb"], check=True, capture_output=True)


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def configure_twilio() -> None:
    from integrations.models import Integration

    Integration.objects.filter(kind="clicksend").update(is_active=False)
    twilio = Integration.objects.get(kind="twilio")
    twilio.is_active = True
    twilio.phone_number = OUR_NUMBER
    twilio.account_id = TWILIO_SID
    twilio.secret = TWILIO_TOKEN
    twilio.save()


def make_candidates(count: int, prefix: int) -> list:
    from candidates.models import Candidate

    Candidate.objects.bulk_create(
        Candidate(first_name=f"Bench{i}", last_name=f"Candidate{prefix}", phone=f"+1{prefix + i}")
        for i in range(count)
    )
    return list(Candidate.objects.filter(last_name=f"Candidate{prefix}").order_by("id"))


# --- 1. inbound webhooks ----------------------------------------------------------------------


async def load(url_for, make_request, total: int, concurrency: int) -> dict:
    import aiohttp

    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))

    async def worker(session):
        nonlocal errors
        for i in counter:
            method, url, data, headers = make_request(i)
            start = time.perf_counter()
            try:
                async with session.request(method, url, data=data, headers=headers) as resp:
                    await resp.read()
                    if resp.status >= 400:
                        errors += 1
            except aiohttp.ClientError:
                errors += 1
            latencies.append(time.perf_counter() - start)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "requests": total,
        "concurrency": concurrency,
        "seconds": round(elapsed, 3),
        "rps": round(total / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "errors": errors,
    }


def bench_inbound(env: dict[str, str], port: int) -> dict:
    from sms.models import Message
    from tests.fakes.twilio_webhooks import inbound_params, signature

    candidates = make_candidates(WEBHOOK_REQUESTS, 3105550000)
    base = f"http://127.0.0.1:{port}"
    webhook_url = f"{base}/webhooks/twilio/inbound/"
    sids = [f"SM{uuid.uuid4().hex}" for _ in range(WEBHOOK_REQUESTS)]

    def trivial(i):
        return "GET", f"{base}/health/", None, None

    def webhook(i):
        params = inbound_params(
            sids[i],
            sender=candidates[i].phone,
            to=OUR_NUMBER,
            body=f"Yes, Tuesday at {i % 12 + 1} works for me",
            account_sid=TWILIO_SID,
        )
        return (
            "POST",
            webhook_url,
            params,
            {"X-Twilio-Signature": signature(webhook_url, params, TWILIO_TOKEN)},
        )

    args = [
        PY,
        "-m",
        "gunicorn",
        "nextal.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(GUNICORN_WORKERS),
        "--log-level",
        "warning",
    ]
    with process(args, env, "gunicorn"):
        wait_for_http(f"{base}/health/")
        asyncio.run(load(None, trivial, 200, WEBHOOK_CONCURRENCY))  # warm-up
        baseline = asyncio.run(load(None, trivial, WEBHOOK_REQUESTS, WEBHOOK_CONCURRENCY))
        ingest = asyncio.run(load(None, webhook, WEBHOOK_REQUESTS, WEBHOOK_CONCURRENCY))
    stored = Message.objects.filter(provider="twilio", provider_message_id__in=sids).count()
    distinct = (
        Message.objects.filter(provider_message_id__in=sids)
        .values("provider_message_id")
        .distinct()
        .count()
    )
    return {
        "baseline_trivial_view": baseline,
        "signed_twilio_inbound": ingest,
        "rps_ratio_to_baseline": round(ingest["rps"] / baseline["rps"], 3),
        "p50_ratio_to_baseline": round(ingest["p50_ms"] / baseline["p50_ms"], 2),
        "gunicorn_workers": GUNICORN_WORKERS,
        "messages_stored": stored,
        "distinct_provider_ids": distinct,
        "exactly_one_message_per_webhook": stored == distinct == WEBHOOK_REQUESTS,
    }


# --- 2. outbound pipeline ---------------------------------------------------------------------


def fake_stats(url: str) -> dict:
    import urllib.request

    with urllib.request.urlopen(f"{url}/_fake/stats", timeout=5) as resp:  # noqa: S310
        return json.load(resp)


def bench_outbound(port: int) -> dict:
    from django.contrib.auth import get_user_model

    from sms.models import Message, MessageStatus
    from sms.outbox.bulk import queue_bulk

    fake = subprocess.Popen(
        [PY, "-m", "tests.fakes.provider_server", "--port", "0", "--delay", str(PROVIDER_DELAY)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        fake_url = fake.stdout.readline().strip()
        env = bench_env(port, twilio_base_url=fake_url)
        os.environ["TWILIO_API_BASE_URL"] = fake_url
        from django.conf import settings

        settings.TWILIO_API_BASE_URL = fake_url
        from integrations.models import Integration
        from tests.fakes.provider_server import TWILIO_SID as FAKE_SID
        from tests.fakes.provider_server import TWILIO_TOKEN as FAKE_TOKEN

        twilio = Integration.objects.get(kind="twilio")
        twilio.account_id, twilio.secret = FAKE_SID, FAKE_TOKEN
        twilio.save()

        candidates = make_candidates(OUTBOUND_MESSAGES, 4155550000)
        sender = get_user_model().objects.get_or_create(username="bench-recruiter")[0]
        with ExitStack() as workers:
            for n in range(WORKER_PROCESSES):
                args = [
                    PY, "-m", "celery", "-A", "nextal", "worker", "--pool", "threads",
                    "--concurrency", str(WORKER_THREADS), "--hostname", f"bench{n}@%h",
                    "--without-gossip", "--without-mingle", "--loglevel", "WARNING",
                ]  # fmt: skip
                workers.enter_context(process(args, env, f"celery-worker-{n}"))
            time.sleep(4)  # let the workers connect before the clock starts
            started = time.perf_counter()
            bulk = queue_bulk(
                candidates,
                "Hi {{first_name}}, quick question about your application.",
                sent_by=sender,
            )
            ids = list(bulk.messages.values_list("id", flat=True))
            deadline = started + 300
            while time.perf_counter() < deadline:
                pending = Message.objects.filter(
                    id__in=ids, status__in=[MessageStatus.QUEUED, MessageStatus.SENDING]
                ).count()
                if pending == 0:
                    break
                time.sleep(0.1)
            elapsed = time.perf_counter() - started
        stats = fake_stats(fake_url)
    finally:
        fake.terminate()
        fake.wait(timeout=10)
    sent = Message.objects.filter(id__in=ids, status=MessageStatus.SENT).count()
    ideal = WORKER_CONCURRENCY / PROVIDER_DELAY
    rate = len(ids) / elapsed
    return {
        "messages": len(ids),
        "worker_concurrency": WORKER_CONCURRENCY,
        "provider_delay_s": PROVIDER_DELAY,
        "seconds": round(elapsed, 2),
        "messages_per_s": round(rate, 1),
        "ideal_messages_per_s": round(ideal, 1),
        "ratio_to_ideal": round(rate / ideal, 3),
        "sent_in_db": sent,
        "provider_accepted": stats.get("accepted_sends", stats),
        "provider_duplicates": stats.get("duplicate_references", stats),
        "lost": len(ids) - sent,
        "fake_stats": stats,
    }


# --- 3. pages ---------------------------------------------------------------------------------


def measure_page(client, url: str) -> dict:
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
        "queries": max(queries),
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


# --- 4. bulk send -----------------------------------------------------------------------------


def bench_bulk() -> dict:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from nextal.celery import app
    from sms.models import Direction, Message, MessageStatus, Thread
    from sms.outbox.bulk import queue_bulk

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

    started = time.perf_counter()
    bulk = queue_bulk(
        candidates, "Hi {{first_name}}, quick question about {{company_name}}.", sent_by=sender
    )
    service = time.perf_counter() - started
    app.control.purge()  # no worker runs here: drop the tasks it published
    return {
        "candidates": BULK_CANDIDATES,
        "queued": bulk.queued_count,
        "skipped": len(bulk.skipped),
        "seconds": round(service, 3),
        "baseline_bare_inserts_seconds": round(baseline, 3),
        "ratio_to_baseline": round(service / baseline, 2),
        "includes": "validation, merge fields, opt-out checks, threads, messages, enqueue to Redis",
    }


# --- main -------------------------------------------------------------------------------------


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "postgres": subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "show server_version"],
            capture_output=True,
            text=True,
        ).stdout.strip(),
        "redis": subprocess.run(["redis-cli", "info", "server"], capture_output=True, text=True)
        .stdout.split("redis_version:")[-1]
        .split()[0],
    }


def main() -> None:
    port = free_port()
    env = bench_env(port)
    total_start = time.perf_counter()
    fresh_database(env)
    setup_django(env)
    configure_twilio()
    results = {"machine": machine()}
    print("1/4 inbound webhooks …", flush=True)
    results["inbound_webhooks"] = bench_inbound(env, port)
    print("2/4 outbound pipeline …", flush=True)
    results["outbound_pipeline"] = bench_outbound(port)
    print("3/4 pages …", flush=True)
    results["pages"] = bench_pages()
    print("4/4 bulk send …", flush=True)
    results["bulk_send"] = bench_bulk()
    results["total_seconds"] = round(time.perf_counter() - total_start, 1)
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)


def print_table(r: dict) -> None:
    w = r["inbound_webhooks"]
    b, s = w["baseline_trivial_view"], w["signed_twilio_inbound"]
    o, p, k = r["outbound_pipeline"], r["pages"], r["bulk_send"]
    rows = [
        (
            "Inbound webhooks (req/s)",
            f"{s['rps']}",
            f"{b['rps']} trivial view",
            f"{w['rps_ratio_to_baseline']}",
        ),
        (
            "  p50 / p95 / p99 ms",
            f"{s['p50_ms']} / {s['p95_ms']} / {s['p99_ms']}",
            f"{b['p50_ms']} / {b['p95_ms']} / {b['p99_ms']}",
            f"{w['p50_ratio_to_baseline']} (p50)",
        ),
        (
            "  errors; 1 message per webhook",
            f"{s['errors']}; {w['exactly_one_message_per_webhook']}",
            f"{b['errors']}",
            "",
        ),
        (
            "Outbound (msg/s)",
            f"{o['messages_per_s']}",
            f"{o['ideal_messages_per_s']} ideal",
            f"{o['ratio_to_ideal']}",
        ),
        (
            "  sent / lost / duplicates",
            f"{o['sent_in_db']} / {o['lost']} / {o['provider_duplicates']}",
            "",
            "",
        ),
    ]
    for name, page in p.items():
        if name == "data":
            continue
        rows.append(
            (f"Page {name} (queries, median ms)", f"{page['queries']}, {page['median_ms']}", "", "")
        )
    rows.append(
        (
            "Bulk queue 5,000 (s)",
            f"{k['seconds']}",
            f"{k['baseline_bare_inserts_seconds']} bare inserts",
            f"{k['ratio_to_baseline']}",
        )
    )
    print(f"\n{'benchmark':<40} {'result':<26} {'baseline':<26} ratio")
    for row in rows:
        print(f"{row[0]:<40} {row[1]:<26} {row[2]:<26} {row[3]}")
    print(f"\nmachine: {r['machine']}; total {r['total_seconds']} s; bench/results.json written")


if __name__ == "__main__":
    main()
