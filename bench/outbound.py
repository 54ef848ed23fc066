"""2. Outbound pipeline: queued messages sent by Celery workers to a local fake Twilio that answers
after a fixed delay. Baseline, measured in the same run on the same workers: the bare task of
bench/baseline.py (only the Twilio request, pooled session) for as many messages. The fake's
own counters must show 0 duplicates and 0 lost. (The computed "ideal", worker concurrency /
provider delay, is still reported.)"""

from __future__ import annotations

import json
import os
import subprocess
import time
from contextlib import ExitStack

from bench.baseline import BARE_TASK
from bench.common import (
    OUTBOUND_MESSAGES,
    PROVIDER_DELAY,
    PY,
    ROOT,
    WORKER_CONCURRENCY,
    WORKER_PROCESSES,
    WORKER_THREADS,
    bench_env,
    make_candidates,
    process,
)


def fake_stats(url: str) -> dict:
    import urllib.request

    with urllib.request.urlopen(f"{url}/_fake/stats", timeout=5) as resp:  # noqa: S310
        return json.load(resp)


ROUNDS = 4


def workers_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) the worker processes have used so far (/proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def wait_for_accepted(url: str, count: int, timeout: float = 300) -> None:
    deadline = time.perf_counter() + timeout
    while fake_stats(url).get("accepted_sends", 0) < count:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"the fake accepted fewer than {count} sends in {timeout} s")
        time.sleep(0.05)


def bare_baseline(fake_url: str, count: int, *, first: int = 0) -> dict:
    """The bare task for `count` messages: publish them all, wait until the fake took them."""
    from nextal.celery import app

    bare = app.signature(BARE_TASK)
    before = fake_stats(fake_url).get("accepted_sends", 0)
    started = time.perf_counter()
    with app.producer_or_acquire() as producer:
        for index in range(first, first + count):
            bare.apply_async((index,), producer=producer)
    wait_for_accepted(fake_url, before + count)
    elapsed = time.perf_counter() - started
    return {"messages": count, "seconds": round(elapsed, 2), "messages_per_s": count / elapsed}


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
        size = max(1, OUTBOUND_MESSAGES // ROUNDS)
        bare_s = pipeline_s = 0.0
        bare_cpu = pipeline_cpu = 0.0
        ids: list[int] = []
        with ExitStack() as workers:
            pids = []
            for n in range(WORKER_PROCESSES):
                args = [
                    PY, "-m", "celery", "-A", "nextal", "worker", "--pool", "threads",
                    "--concurrency", str(WORKER_THREADS), "--hostname", f"bench{n}@%h",
                    "--without-gossip", "--without-mingle", "--loglevel", "WARNING",
                    "--include", "bench.baseline",
                ]  # fmt: skip
                pids.append(workers.enter_context(process(args, env, f"celery-worker-{n}")).pid)
            time.sleep(4)  # let the workers connect before the clock starts
            bare_baseline(fake_url, 200, first=100_000)  # warm-up: connections, imports
            # Interleaved rounds (bare, then the pipeline, ROUNDS times): on a shared machine
            # the load changes by the minute, and both sides should see the same.
            for round_number in range(ROUNDS):
                chunk = candidates[round_number * size : (round_number + 1) * size]
                cpu = workers_cpu(pids)
                bare_s += bare_baseline(fake_url, len(chunk), first=round_number * size)["seconds"]
                bare_cpu += workers_cpu(pids) - cpu
                cpu = workers_cpu(pids)
                started = time.perf_counter()
                bulk = queue_bulk(
                    chunk,
                    "Hi {{first_name}}, quick question about your application.",
                    sent_by=sender,
                )
                round_ids = list(bulk.messages.values_list("id", flat=True))
                deadline = started + 300
                while time.perf_counter() < deadline:
                    pending = Message.objects.filter(
                        id__in=round_ids, status__in=[MessageStatus.QUEUED, MessageStatus.SENDING]
                    ).count()
                    if pending == 0:
                        break
                    time.sleep(0.05)
                pipeline_s += time.perf_counter() - started
                pipeline_cpu += workers_cpu(pids) - cpu
                ids += round_ids
        stats = fake_stats(fake_url)
    finally:
        fake.terminate()
        fake.wait(timeout=10)
    elapsed = pipeline_s
    baseline = {"messages_per_s": len(ids) / bare_s, "seconds": round(bare_s, 2)}
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
        "baseline_bare_task_messages_per_s": round(baseline["messages_per_s"], 1),
        "baseline_seconds": baseline["seconds"],
        "ratio_to_baseline": round(rate / baseline["messages_per_s"], 3),
        "baseline": "bench/baseline.py: only the Twilio request, pooled session, same workers",
        "rounds": ROUNDS,
        "worker_cpu_ms_per_message": round(pipeline_cpu / len(ids) * 1000, 2),
        "baseline_worker_cpu_ms_per_message": round(bare_cpu / len(ids) * 1000, 2),
        "sent_in_db": sent,
        "provider_accepted": stats.get("accepted_sends", 0) - 200 - len(ids),
        "provider_duplicates": stats.get("duplicate_references", stats),
        "lost": len(ids) - sent,
        "fake_stats": stats,
    }
