"""Fixtures for the fault tests: Celery worker *processes* (so they can be killed), a private
redis-server (so it can be stopped), and a look at what Redis still holds for a dead worker.

The workers are real `celery worker --pool prefork` subprocesses on the test database
(`DATABASE_URL` of the test database, `tests.faults.worker_settings`) and the Redis of REDIS_URL,
sending to the in-process fake provider over HTTP. Each runs in its own process group so that
teardown can kill it and every pool process it left behind.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection

from sms.models import Message
from tests.conftest import _unavailable

REPO = Path(__file__).resolve().parents[2]
WORKER_SETTINGS = "tests.faults.worker_settings"


def wait_until(predicate: Callable[[], object], *, timeout: float, interval: float = 0.2, what=""):
    """Poll `predicate` until it returns something truthy (returned); fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what or predicate}")
        time.sleep(interval)


def statuses(**filters) -> dict[int, str]:
    """{message id: status} of outbound messages."""
    return dict(Message.objects.filter(direction="outbound", **filters).values_list("pk", "status"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_database_url() -> str:
    """The URL of the database this test runs on (pytest-django's test database)."""
    db = connection.settings_dict
    credentials = ""
    if db.get("USER"):
        credentials = quote(db["USER"], safe="")
        if db.get("PASSWORD"):
            credentials += ":" + quote(db["PASSWORD"], safe="")
        credentials += "@"
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


# --- Worker processes ------------------------------------------------------------------------


class WorkerProcess:
    """A `celery worker` subprocess. `pool_pids()` lists its pool processes (and beat's)."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path):
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.process = subprocess.Popen(
            args,
            cwd=REPO,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: teardown kills every leftover
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60) -> WorkerProcess:
        def ready():
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited with {self.process.returncode}:\n{self.log()}")
            return " ready." in self.log()

        wait_until(ready, timeout=timeout, what="the worker to be ready")
        return self

    def pool_pids(self) -> list[int]:
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            return []

    def kill_main(self) -> None:
        """SIGKILL the main process only, as the OOM killer or a lost host would."""
        os.kill(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        self._log.close()


def process_exists(pid: int) -> bool:
    """True while `pid` runs (a zombie, already dead but not yet reaped, counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"


@pytest.fixture
def broker_url():
    """REDIS_URL, emptied before and after the test (queue, and what dead workers held)."""
    url = os.environ.get("REDIS_URL")
    if not url:
        _unavailable("needs Redis: set REDIS_URL=redis://...")
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def start_worker(transactional_db, tmp_path):
    """Start a worker process: `start_worker(broker_url, provider_url, "-B", concurrency=2)`.

    Extra environment (e.g. `SMS_PROVIDER_READ_TIMEOUT="1"`) goes in `env`. Every worker is
    killed (with its pool processes) before the test's database is flushed.
    """
    if connection.vendor != "postgresql":
        _unavailable("needs PostgreSQL: a worker process shares the test database")
    workers: list[WorkerProcess] = []

    def _start(
        broker: str, provider_url: str, *extra_args: str, concurrency: int = 2, env=None
    ) -> WorkerProcess:
        name = f"faults{len(workers) + 1}"
        args = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "nextal",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "INFO",
            "--hostname",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            *extra_args,
        ]
        worker_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": WORKER_SETTINGS,
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": broker,
            "TWILIO_API_BASE_URL": provider_url,
            "CLICKSEND_API_BASE_URL": provider_url,
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        worker = WorkerProcess(args, worker_env, tmp_path / f"{name}.log")
        workers.append(worker)
        return worker.wait_ready()

    yield _start
    for worker in workers:
        worker.stop()


# --- What Redis holds ---------------------------------------------------------------------------


def _send_task_message_id(payload: dict) -> int | None:
    """The Message id a kombu message for `sms.send_message` carries (Celery protocol 2)."""
    if payload.get("headers", {}).get("task") != "sms.send_message":
        return None
    body = payload["body"]
    if payload.get("properties", {}).get("body_encoding") == "base64":
        body = base64.b64decode(body)
    args, _kwargs, _embed = json.loads(body)
    return int(args[0])


def held_send_ids(url: str) -> set[int]:
    """Message ids of send tasks delivered to a worker and not acknowledged (kombu's `unacked`
    hash): what a killed worker was holding. Redis gives them back only after the visibility
    timeout (an hour here)."""
    client = redis.Redis.from_url(url)
    try:
        entries = client.hvals("unacked")
    finally:
        client.close()
    ids = {_send_task_message_id(json.loads(entry)[0]) for entry in entries}
    return ids - {None}


def waiting_send_ids(url: str, queue: str = "celery") -> set[int]:
    """Message ids of send tasks still waiting in the broker queue."""
    client = redis.Redis.from_url(url)
    try:
        entries = client.lrange(queue, 0, -1)
    finally:
        client.close()
    return {_send_task_message_id(json.loads(entry)) for entry in entries} - {None}


# --- A private redis-server ---------------------------------------------------------------------


class RedisServer:
    """A redis-server of our own on a free port, without persistence, to stop and start again.
    (The shared Redis on 6379 is never touched.)"""

    def __init__(self, log_path: Path):
        self.port = free_port()
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(self._answers, timeout=10, interval=0.05, what="redis-server to answer")
        return self

    def _answers(self) -> bool:
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False
        finally:
            client.close()

    def stop(self) -> None:
        """Stop the server (SIGTERM); new connections are refused until `start()`."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def freeze(self) -> None:
        """SIGSTOP: connections are accepted by the kernel but never answered (a hung host)."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)


@pytest.fixture
def private_redis(tmp_path):
    if not shutil.which("redis-server"):
        _unavailable("needs redis-server: apt-get install -y redis-server")
    server = RedisServer(tmp_path / "redis.log").start()
    yield server
    if server.process and server.process.poll() is None:
        server.thaw()
        server.process.kill()
        server.process.wait(timeout=10)
