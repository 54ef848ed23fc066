"""A worker keeps its database connection from one task to the next, as a web process keeps
it from one request to the next (CONN_MAX_AGE), and replaces one the database closed.

Celery's Django fixup closes every connection around every task unless CELERY_DB_REUSE_MAX is
set: each send then paid a new PostgreSQL backend (a fork and its setup), which halved the
outbound throughput. Real prefork worker on Redis and PostgreSQL; the worker's connections carry
an application name, so that PostgreSQL itself tells which backends are the worker's.
"""

import pytest
from django.db import connection

from sms.models import Message, MessageStatus
from sms.outbox.queueing import queue_message
from tests.factories import CandidateFactory
from tests.faults.workers import test_database_url
from tests.helpers.broker import publishing_to
from tests.helpers.messages import statuses
from tests.helpers.polling import wait_until
from tests.helpers.providers import configure

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

APPLICATION = "nextal-worker-connections-test"


def worker_backends() -> list[tuple[int, object]]:
    """(pid, backend_start) of the worker's connections, as PostgreSQL lists them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, backend_start FROM pg_stat_activity WHERE application_name = %s",
            [APPLICATION],
        )
        return cursor.fetchall()


@pytest.fixture
def worker(start_worker, broker_url, fake_provider):
    configure("twilio")
    url = f"{test_database_url()}?application_name={APPLICATION}"
    return start_worker(broker_url, fake_provider.url, concurrency=1, env={"DATABASE_URL": url})


def send_one(broker_url, recruiter, body: str) -> Message:
    with publishing_to(broker_url):
        message = queue_message(CandidateFactory(), body, sent_by=recruiter)
        wait_until(
            lambda: statuses(pk=message.pk) == {message.pk: MessageStatus.SENT},
            timeout=20,
            what=f"message #{message.pk} sent",
        )
    message.refresh_from_db()
    return message


def test_one_connection_serves_task_after_task(worker, broker_url, recruiter, fake_provider):
    sent = [send_one(broker_url, recruiter, f"Interview slot {n}?") for n in range(4)]

    backends = worker_backends()
    # Closed after each task, none would be left; reopened for each, it would be younger than
    # the first send (opened by its claim, before its provider call).
    assert len(backends) == 1, backends
    assert backends[0][1] < sent[0].sent_at
    assert len(fake_provider.requests_for("twilio.send")) == 4


def test_a_connection_the_database_closed_is_replaced_before_the_next_task(
    worker, broker_url, recruiter, fake_provider
):
    send_one(broker_url, recruiter, "Are you free on Monday?")
    [(pid, _)] = worker_backends()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    wait_until(lambda: not worker_backends(), timeout=10, what="the backend to end")

    # The next task finds its connection dead before its first query and opens a new one: the
    # message is sent at once, not left for the sweeper.
    message = send_one(broker_url, recruiter, "Or on Tuesday?")

    assert message.attempts == 1
    [(new_pid, _)] = worker_backends()
    assert new_pid != pid
    assert "Traceback" not in worker.log()
