"""The Celery application. Configuration lives in settings (CELERY_* names)."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_init
from django.db import close_old_connections, connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nextal.settings")

app = Celery("nextal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def refuse_unsafe_configuration(**kwargs):
    """A worker must not start with a configuration the web app would refuse."""
    from nextal.checks import raise_for_configuration_errors

    raise_for_configuration_errors()


@task_prerun.connect
def check_database_connections(task=None, **kwargs):
    """Before a worker's task: what Django does around a request (close this thread's
    connections past CONN_MAX_AGE or broken), and a kept connection the database closed
    meanwhile (a restart, a failover) is replaced before the task's first query, at the cost
    of one `SELECT 1`. (Celery's own handling closes them all every CELERY_DB_REUSE_MAX
    tasks.) Not for a task run eagerly: it runs inside its caller's request, perhaps inside
    its transaction."""
    if _in_process(task):
        return
    close_old_connections()
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and not conn.is_usable():
            conn.close()


@task_postrun.connect
def close_old_database_connections(task=None, **kwargs):
    if not _in_process(task):
        close_old_connections()


def _in_process(task) -> bool:
    return task is not None and bool(getattr(task.request, "is_eager", False))


@app.task(name="nextal.ping")
def ping():
    """A no-op used by health checks and the worker test."""
    return "pong"
