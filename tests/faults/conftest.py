"""Fixtures for the fault tests: Celery worker *processes* (so they can be killed), a private
redis-server (so it can be stopped), and a look at what Redis still holds for a dead worker.

The workers are real `celery worker --pool prefork` subprocesses on the test database
(`DATABASE_URL` of the test database, `tests.faults.worker_settings`) and the Redis of REDIS_URL,
sending to the in-process fake provider over HTTP. Each runs in its own process group so that
teardown can kill it and every pool process it left behind (tests/faults/workers.py; the
private redis-server and what Redis holds are in tests/faults/redis_broker.py).
"""

from __future__ import annotations

import os
import shutil
import sys

import pytest
import redis
from django.db import connection

from nextal.broker import is_amqp
from tests.faults.redis_broker import RedisServer
from tests.faults.workers import WORKER_SETTINGS, WorkerProcess, test_database_url
from tests.helpers.rabbitmq import RABBITMQ_BIN, RabbitServer, delete_queue
from tests.helpers.services import unavailable

# The fault tests that matter for either broker run against both.
BROKERS = ["redis", pytest.param("rabbitmq", marks=pytest.mark.rabbitmq)]


@pytest.fixture
def broker_url():
    """REDIS_URL, emptied before and after the test (queue, and what dead workers held)."""
    url = os.environ.get("REDIS_URL")
    if not url:
        unavailable("needs Redis: set REDIS_URL=redis://...")
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def rabbitmq_url():
    """RABBITMQ_URL (a vhost of this checkout's own), its queue deleted before and after."""
    url = os.environ.get("RABBITMQ_URL")
    if not url:
        unavailable("needs RabbitMQ: set RABBITMQ_URL=amqp://guest:guest@127.0.0.1:5672/vhost")
    delete_queue(url)
    yield url
    delete_queue(url)


@pytest.fixture(params=BROKERS)
def any_broker_url(request):
    """The test once on Redis (REDIS_URL) and once on RabbitMQ (RABBITMQ_URL)."""
    return request.getfixturevalue("broker_url" if request.param == "redis" else "rabbitmq_url")


@pytest.fixture
def start_worker(transactional_db, tmp_path):
    """Start a worker process: `start_worker(broker_url, provider_url, "-B", concurrency=2)`.

    Extra environment (e.g. `SMS_PROVIDER_READ_TIMEOUT="1"`) goes in `env`. Every worker is
    killed (with its pool processes) before the test's database is flushed.
    """
    if connection.vendor != "postgresql":
        unavailable("needs PostgreSQL: a worker process shares the test database")
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
            # RabbitMQ through BROKER_URL (which wins over REDIS_URL), Redis through REDIS_URL.
            **(
                {"BROKER_URL": broker}
                if is_amqp(broker)
                else {"REDIS_URL": broker, "BROKER_URL": ""}
            ),
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


@pytest.fixture
def private_redis(tmp_path):
    if not shutil.which("redis-server"):
        unavailable("needs redis-server: apt-get install -y redis-server")
    server = RedisServer(tmp_path / "redis.log").start()
    yield server
    if server.process and server.process.poll() is None:
        server.thaw()
        server.process.kill()
        server.process.wait(timeout=10)


@pytest.fixture
def private_rabbitmq(tmp_path):
    if not (RABBITMQ_BIN / "rabbitmq-server").exists():
        unavailable("needs rabbitmq-server: apt-get install -y rabbitmq-server")
    server = RabbitServer(tmp_path / "rabbitmq").start()
    yield server
    server.kill()


@pytest.fixture(params=BROKERS)
def private_broker(request):
    """A broker of the test's own to stop and start: a redis-server, then a RabbitMQ node."""
    return request.getfixturevalue(
        "private_redis" if request.param == "redis" else "private_rabbitmq"
    )
