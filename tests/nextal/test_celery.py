"""The Celery app: settings that neither lose nor repeat work, and a real worker on Redis."""

import time

import pytest
from django.db import transaction

from nextal.celery import app, ping


def test_it_is_configured_not_to_lose_or_repeat_work():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_soft_time_limit < conf.task_time_limit
    # Redis must not hand a running task to a second worker.
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit * 10


def test_it_autodiscovers_the_apps_tasks():
    app.loader.import_default_modules()
    assert "nextal.ping" in app.tasks


@pytest.mark.django_db(transaction=True)
def test_in_process_tasks_run_only_after_the_transaction_commits():
    ran = []
    with transaction.atomic():
        transaction.on_commit(lambda: ran.append(ping.delay().get()))
        assert ran == []
    assert ran == ["pong"]


@pytest.mark.redis
def test_a_real_worker_executes_a_task_sent_through_redis(celery_worker, settings):
    assert app.conf.task_always_eager is False
    assert app.conf.broker_url.startswith("redis://")
    ping.apply_async()
    # Results are off in this app; ask the worker itself, over Redis, what it executed.
    deadline = time.monotonic() + 20
    executed = 0
    while time.monotonic() < deadline and not executed:
        stats = app.control.inspect(timeout=1).stats() or {}
        executed = sum(s.get("total", {}).get("nextal.ping", 0) for s in stats.values())
    assert executed == 1, "the worker did not execute nextal.ping exactly once"


@pytest.mark.django_db
def test_a_task_run_in_process_leaves_its_callers_connection_alone():
    """Around a worker's task the connection is checked and perhaps closed (nextal/celery.py);
    a task run in-process runs inside its caller's request and transaction, which must go on."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    with transaction.atomic():
        user = get_user_model().objects.create(username="in-process")
        assert ping.apply().get() == "pong"
        assert connection.in_atomic_block and not connection.needs_rollback
        assert get_user_model().objects.filter(pk=user.pk).exists()
