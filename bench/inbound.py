"""1. Inbound webhook ingestion: gunicorn on PostgreSQL, an asyncio client posting correctly
signed Twilio inbound webhooks at a fixed concurrency; baseline: a trivial Django view (/health/)
on the same server. Afterwards every webhook must be exactly one message."""

from __future__ import annotations

import asyncio
import time
import uuid

from bench.common import (
    GUNICORN_WORKERS,
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
