"""What every benchmark shares: constants, the environment and database of a run, processes,
percentiles and test candidates."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the project folder
PY = sys.executable
# Names of the run's own database and Redis database (override them to run beside another
# checkout's benchmark on the same services).
DB_NAME = os.environ.get("BENCH_DB_NAME", "nextal_bench")
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", 9))
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
TWILIO_TOKEN = "bench-auth-token-0123456789abcdef"
TWILIO_SID = "AC" + "b" * 32
OUR_NUMBER = "+12025550000"

WEBHOOK_REQUESTS = int(os.environ.get("BENCH_WEBHOOK_REQUESTS", 3000))
WEBHOOK_CONCURRENCY = int(os.environ.get("BENCH_WEBHOOK_CONCURRENCY", 16))
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", 4))
# Celery worker processes processing the stored webhooks while they arrive.
INBOUND_WORKER_PROCESSES = int(os.environ.get("BENCH_INBOUND_WORKER_PROCESSES", 2))
INBOUND_WORKER_NICE = int(os.environ.get("BENCH_INBOUND_WORKER_NICE", 19))
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
        # BENCH_BROKER_URL=amqp://guest:guest@127.0.0.1:5672/vhost runs it on RabbitMQ.
        BROKER_URL=os.environ.get("BENCH_BROKER_URL", ""),
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
    subprocess.run(["redis-cli", "-n", str(REDIS_DB), "flushdb"], check=True, capture_output=True)


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


def configure_policy() -> None:
    """The benchmarks measure the pipeline at any hour: with quiet hours on, a run in the
    evening would hold its messages until the candidates' morning."""
    from sms.policy import save_policy

    save_policy({"quiet_hours_enabled": False}, by=None)


def make_candidates(count: int, prefix: int) -> list:
    from candidates.models import Candidate

    Candidate.objects.bulk_create(
        Candidate(first_name=f"Bench{i}", last_name=f"Candidate{prefix}", phone=f"+1{prefix + i}")
        for i in range(count)
    )
    return list(Candidate.objects.filter(last_name=f"Candidate{prefix}").order_by("id"))
