"""1. Inbound webhooks: gunicorn on PostgreSQL, an asyncio client posting correctly signed Twilio
inbound webhooks at a fixed concurrency; baseline: a trivial Django view (/health/) on the same
server in the same run. Webhooks are stored first and acknowledged; Celery workers on Redis
(running throughout, as in production) process them into threads. Measured: the acknowledgement
rate and latency, how long after the last acknowledgement every event was processed, and that
every webhook became exactly one message."""

from __future__ import annotations

import asyncio
import time
import uuid
from urllib.parse import urlencode

from bench.common import (
    GUNICORN_WORKERS,
    INBOUND_WORKER_NICE,
    INBOUND_WORKER_PROCESSES,
    OUR_NUMBER,
    PY,
    TWILIO_SID,
    TWILIO_TOKEN,
    WEBHOOK_CONCURRENCY,
    WEBHOOK_REQUESTS,
    make_candidates,
    percentile,
    process,
    wait_for_http,
)


async def load(requests: list[tuple], concurrency: int) -> dict:
    """Post `requests` (method, url, form data, headers), prepared beforehand: signing them is
    the provider's work, not ours, and would take the server's CPU on a shared machine."""
    import aiohttp

    latencies: list[float] = []
    errors = 0
    pending = iter(requests)

    async def worker(session):
        nonlocal errors
        for method, url, data, headers in pending:
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
        "requests": len(requests),
        "concurrency": concurrency,
        "seconds": round(elapsed, 3),
        "rps": round(len(requests) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "errors": errors,
    }


PROCESSING_TIMEOUT = 120  # seconds after the last acknowledgement


def wait_processed(sids: list[str]) -> tuple[float, int]:
    """Seconds until every event of `sids` is processed (or the timeout), and how many were."""
    from sms.models import ProviderEvent

    started = time.perf_counter()
    events = ProviderEvent.objects.filter(provider="twilio", event_id__in=sids)
    while True:
        done = events.filter(processed_at__isnull=False).count()
        elapsed = time.perf_counter() - started
        if done == len(sids) or elapsed > PROCESSING_TIMEOUT:
            return elapsed, done
        time.sleep(0.05)


def worker_args(n: int) -> list[str]:
    """A worker processing webhook events while they arrive, at a lower CPU priority than the
    web server (BENCH_INBOUND_WORKER_NICE, 19 by default), as README "Scaling" advises for a
    node that runs both: an acknowledgement is what the provider waits for, processing can
    wait for an idle core (its database work still competes: PostgreSQL's backends are not
    niced). 0 measures the two at equal priority."""
    return [
        "nice", "-n", str(INBOUND_WORKER_NICE),
        PY, "-m", "celery", "-A", "nextal", "worker", "--pool", "prefork", "--concurrency", "1",
        "--hostname", f"bench-inbound{n}@%h", "--without-gossip", "--without-mingle",
        "--loglevel", "WARNING",
    ]  # fmt: skip


def bench_inbound(env: dict[str, str], port: int) -> dict:
    from contextlib import ExitStack

    from sms.models import Message, ProviderEvent
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
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature(webhook_url, params, TWILIO_TOKEN),
        }
        return "POST", webhook_url, urlencode(params).encode(), headers

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
    with ExitStack() as services:
        services.enter_context(process(args, env, "gunicorn"))
        for n in range(INBOUND_WORKER_PROCESSES):
            services.enter_context(process(worker_args(n), env, f"celery-inbound-{n}"))
        wait_for_http(f"{base}/health/")
        time.sleep(3)  # let the workers connect
        warm_up = [trivial(i) for i in range(200)]
        trivial_requests = [trivial(i) for i in range(WEBHOOK_REQUESTS)]
        webhook_requests = [webhook(i) for i in range(WEBHOOK_REQUESTS)]
        asyncio.run(load(warm_up, WEBHOOK_CONCURRENCY))
        baseline = asyncio.run(load(trivial_requests, WEBHOOK_CONCURRENCY))
        ingest = asyncio.run(load(webhook_requests, WEBHOOK_CONCURRENCY))
        at_last_ack = ProviderEvent.objects.filter(
            provider="twilio", event_id__in=sids, processed_at__isnull=False
        ).count()
        after_last_ack, processed = wait_processed(sids)
    failed = ProviderEvent.objects.filter(event_id__in=sids).exclude(error="").count()
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
        "celery_worker_processes": INBOUND_WORKER_PROCESSES,
        "celery_worker_nice": INBOUND_WORKER_NICE,
        "events_processed_at_last_ack": at_last_ack,
        "events_processed": processed,
        "events_failed": failed,
        "processed_seconds_after_last_ack": round(after_last_ack, 2),
        "all_processed_within_10_s": processed == WEBHOOK_REQUESTS and after_last_ack <= 10,
        "messages_stored": stored,
        "distinct_provider_ids": distinct,
        "exactly_one_message_per_webhook": stored == distinct == WEBHOOK_REQUESTS,
    }
