"""6. Mixed load for BENCH_MIXED_SECONDS (default 120): signed Twilio inbound webhooks, sends
through the real workers to the fake Twilio, and 10 recruiters polling the inbox as the page
does (following the version it hands back), all at once on gunicorn + Celery + PostgreSQL.

Paced, not flat out: BENCH_MIXED_WEBHOOKS_PER_S (5), BENCH_MIXED_SENDS_PER_S (5) and one poll
per user every BENCH_MIXED_POLL_SECONDS (4, as the page polls). Afterwards every
acknowledged webhook must be exactly one message and every send sent exactly once: "lost"
counts what is not, "errors" every HTTP error or exception in any stream.
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
import time
import uuid
from contextlib import ExitStack

from bench.common import (
    GUNICORN_WORKERS,
    OUR_NUMBER,
    PROVIDER_DELAY,
    PY,
    ROOT,
    WORKER_PROCESSES,
    WORKER_THREADS,
    bench_env,
    make_candidates,
    percentile,
    process,
    wait_for_http,
)

SECONDS = float(os.environ.get("BENCH_MIXED_SECONDS", 120))
WEBHOOKS_PER_S = float(os.environ.get("BENCH_MIXED_WEBHOOKS_PER_S", 5))
SENDS_PER_S = float(os.environ.get("BENCH_MIXED_SENDS_PER_S", 5))
POLL_SECONDS = float(os.environ.get("BENCH_MIXED_POLL_SECONDS", 4))
POLL_USERS = 10
VERSION = re.compile(r"inbox/poll/\?v=([^\"&]+)")


def _ms(values: list[float], p: float) -> float:
    return round(percentile(values, p) * 1000, 1) if values else 0.0


async def _paced(rate: float, until: float, step) -> None:
    """Call `step(i)` `rate` times a second until `until`, each as its own task."""
    tasks, i, started = [], 0, time.perf_counter()
    while time.perf_counter() < until:
        tasks.append(asyncio.ensure_future(step(i)))
        i += 1
        await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
    await asyncio.gather(*tasks)


async def _load(base: str, webhook, cookies: list[str], until: float, out: dict) -> None:
    import aiohttp

    async def post_webhook(i):
        url, params, headers, sid = webhook(i)
        start = time.perf_counter()
        try:
            async with session.post(url, data=params, headers=headers) as response:
                await response.read()
                if response.status < 300:
                    out["acknowledged"].append(sid)
                else:
                    out["errors"].append(f"webhook HTTP {response.status}")
        except aiohttp.ClientError as exc:
            out["errors"].append(f"webhook {type(exc).__name__}")
        out["webhook_latencies"].append(time.perf_counter() - start)

    async def poll(cookie):
        version = "0"
        while time.perf_counter() < until:
            start = time.perf_counter()
            try:
                async with session.get(
                    f"{base}/inbox/poll/?v={version}",
                    headers={"Cookie": f"sessionid={cookie}", "HX-Request": "true"},
                    allow_redirects=False,
                ) as response:
                    text = await response.text()
                    if response.status == 200:
                        found = VERSION.search(text)
                        version = found.group(1) if found else version
                    elif response.status != 204:
                        out["errors"].append(f"poll HTTP {response.status}")
            except aiohttp.ClientError as exc:
                out["errors"].append(f"poll {type(exc).__name__}")
            out["poll_latencies"].append(time.perf_counter() - start)
            await asyncio.sleep(max(0.0, start + POLL_SECONDS - time.perf_counter()))

    connector = aiohttp.TCPConnector(limit=64)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(
            _paced(WEBHOOKS_PER_S, until, post_webhook), *(poll(c) for c in cookies)
        )


def _send_stream(candidates, sender, until: float, out: dict) -> None:
    """Recruiters' sends, paced, from this process (queue_message: the composer's path)."""
    from django.db import connection

    from sms.outbox.queueing import queue_message

    started, i = time.perf_counter(), 0
    try:
        while time.perf_counter() < until:
            try:
                message = queue_message(
                    candidates[i % len(candidates)], f"Mixed load {i}", sent_by=sender
                )
                out["sent_ids"].append(message.pk)
            except Exception as exc:
                out["errors"].append(f"send {type(exc).__name__}: {exc}")
            i += 1
            time.sleep(max(0.0, started + i / SENDS_PER_S - time.perf_counter()))
    finally:
        connection.close()


def _logged_in_cookies(count: int) -> list[str]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    cookies = []
    recruiters = Group.objects.get(name="Recruiters")
    for n in range(count):
        user = get_user_model().objects.create_user(f"bench-mixed-{n}", password=None)
        user.groups.add(recruiters)
        client = Client()
        client.force_login(user)
        cookies.append(client.cookies["sessionid"].value)
    return cookies


def _wait(predicate, timeout: float) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return predicate()


def bench_mixed(port: int) -> dict:
    import subprocess

    from django.conf import settings
    from django.contrib.auth import get_user_model

    from bench.outbound import fake_stats
    from integrations.models import Integration
    from sms.models import Message, MessageStatus
    from tests.fakes.provider_server import TWILIO_SID as FAKE_SID
    from tests.fakes.provider_server import TWILIO_TOKEN as FAKE_TOKEN
    from tests.fakes.twilio_webhooks import inbound_params, signature

    fake = subprocess.Popen(
        [PY, "-m", "tests.fakes.provider_server", "--port", "0", "--delay", str(PROVIDER_DELAY)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    out = {
        "acknowledged": [],
        "errors": [],
        "webhook_latencies": [],
        "poll_latencies": [],
        "sent_ids": [],
    }
    try:
        fake_url = fake.stdout.readline().strip()
        env = bench_env(port, twilio_base_url=fake_url)
        settings.TWILIO_API_BASE_URL = fake_url
        twilio = Integration.objects.get(kind="twilio")
        twilio.account_id, twilio.secret = FAKE_SID, FAKE_TOKEN
        twilio.save()

        texters = make_candidates(int(WEBHOOKS_PER_S * SECONDS) + 100, 6465550000)
        recipients = make_candidates(500, 9175550000)
        sender = get_user_model().objects.get_or_create(username="bench-mixed-sender")[0]
        cookies = _logged_in_cookies(POLL_USERS)
        base = f"http://127.0.0.1:{port}"
        webhook_url = f"{base}/webhooks/twilio/inbound/"

        def webhook(i):
            sid = f"SM{uuid.uuid4().hex}"
            params = inbound_params(
                sid,
                sender=texters[i % len(texters)].phone,
                to=OUR_NUMBER,
                body=f"Mixed load reply {i}",
                account_sid=FAKE_SID,
            )
            return (
                webhook_url,
                params,
                {"X-Twilio-Signature": signature(webhook_url, params, FAKE_TOKEN)},
                sid,
            )

        gunicorn = [
            PY, "-m", "gunicorn", "nextal.wsgi", "--bind", f"127.0.0.1:{port}",
            "--workers", str(GUNICORN_WORKERS), "--log-level", "warning",
        ]  # fmt: skip
        with ExitStack() as services:
            services.enter_context(process(gunicorn, env, "gunicorn-mixed"))
            for n in range(WORKER_PROCESSES):
                worker = [
                    PY, "-m", "celery", "-A", "nextal", "worker", "--pool", "threads",
                    "--concurrency", str(WORKER_THREADS), "--hostname", f"mixed{n}@%h",
                    "--without-gossip", "--without-mingle", "--loglevel", "WARNING",
                ]  # fmt: skip
                services.enter_context(process(worker, env, f"celery-mixed-{n}"))
            wait_for_http(f"{base}/health/")
            time.sleep(4)  # the workers connect
            cpu_before = os.times()
            started = time.perf_counter()
            until = started + SECONDS
            sends = threading.Thread(
                target=_send_stream, args=(recipients, sender, until, out), daemon=True
            )
            sends.start()
            asyncio.run(_load(base, webhook, cookies, until, out))
            sends.join()
            elapsed = time.perf_counter() - started
            acknowledged = set(out["acknowledged"])
            # Afterwards: everything acknowledged is processed, everything queued is sent.
            _wait(
                lambda: (
                    Message.objects.filter(provider_message_id__in=acknowledged).count()
                    >= len(acknowledged)
                ),
                timeout=30,
            )
            _wait(
                lambda: (
                    not Message.objects.filter(
                        pk__in=out["sent_ids"],
                        status__in=[MessageStatus.QUEUED, MessageStatus.SENDING],
                    ).exists()
                ),
                timeout=60,
            )
            cpu_after = os.times()
        stats = fake_stats(fake_url)
    finally:
        fake.terminate()
        fake.wait(timeout=10)

    stored = Message.objects.filter(provider_message_id__in=acknowledged).count()
    sent = Message.objects.filter(pk__in=out["sent_ids"], status=MessageStatus.SENT).count()
    lost = (len(acknowledged) - stored) + (len(out["sent_ids"]) - sent)
    polls = out["poll_latencies"]
    return {
        "seconds": round(elapsed, 1),
        "webhooks_per_s_target": WEBHOOKS_PER_S,
        "webhooks_acknowledged": len(acknowledged),
        "webhook_p99_ms": _ms(out["webhook_latencies"], 0.99),
        "messages_stored": stored,
        "sends_per_s_target": SENDS_PER_S,
        "sends_queued": len(out["sent_ids"]),
        "sends_sent": sent,
        "provider_duplicates": stats.get("duplicate_references", 0),
        "inbox_pollers": POLL_USERS,
        "inbox_polls": len(polls),
        "inbox_poll_p50_ms": _ms(polls, 0.50),
        "inbox_poll_p99_ms": _ms(polls, 0.99),
        "errors": len(out["errors"]),
        "error_samples": sorted(set(out["errors"]))[:5],
        "lost": lost,
        "bench_process_cpu_s": round(
            (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system), 1
        ),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
