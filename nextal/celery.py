"""The Celery application. Configuration lives in settings (CELERY_* names)."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nextal.settings")

app = Celery("nextal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def refuse_unsafe_configuration(**kwargs):
    """A worker must not start with a configuration the web app would refuse."""
    from nextal.checks import raise_for_configuration_errors

    raise_for_configuration_errors()


@app.task(name="nextal.ping")
def ping():
    """A no-op used by health checks and the worker test."""
    return "pong"
