"""The Celery application. Configuration lives in settings (CELERY_* names)."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_init

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
@task_postrun.connect
def close_old_database_connections(task=None, **kwargs):
    """What Django does around a request, around a task: close this thread's connections that
    are past CONN_MAX_AGE or broken (a database restart), keep the others. (Celery's own
    handling closes them all every CELERY_DB_REUSE_MAX tasks.) Not for a task run eagerly:
    it runs inside its caller's request, perhaps inside its transaction."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


@app.task(name="nextal.ping")
def ping():
    """A no-op used by health checks and the worker test."""
    return "pong"
