"""Fixtures for the SMS pipeline tests: configured providers pointing at the fake server, and
candidates with valid numbers."""

import socket
from contextlib import contextmanager

import pytest

from integrations.models import Integration
from tests.factories import CandidateFactory
from tests.fakes.fixtures import CLICKSEND_API_KEY, CLICKSEND_USERNAME, TWILIO_SID, TWILIO_TOKEN

TWILIO_FROM = "+15005550006"
CLICKSEND_FROM = "+61411111112"
CANDIDATE_PHONE = "+61411111111"  # a ClickSend test number; valid for phonenumbers too


def configure(kind: str, *, active: bool = True) -> Integration:
    """Give a provider the fake server's credentials and make it the active one (or not)."""
    integration = Integration.objects.get(kind=kind)
    if kind == "twilio":
        integration.account_id, integration.secret = TWILIO_SID, TWILIO_TOKEN
        integration.phone_number = TWILIO_FROM
    else:
        integration.account_id, integration.secret = CLICKSEND_USERNAME, CLICKSEND_API_KEY
        integration.phone_number = CLICKSEND_FROM
    if active:
        Integration.objects.exclude(pk=integration.pk).update(is_active=False)
    integration.is_active = active
    integration.save()
    return integration


@pytest.fixture
def twilio(db, fake_provider):
    return configure("twilio")


@pytest.fixture
def clicksend(db, fake_provider):
    return configure("clicksend")


@pytest.fixture
def candidate(db):
    return CandidateFactory(first_name="Ada", last_name="Lovelace", phone=CANDIDATE_PHONE)


def _reset_broker_pool(app) -> None:
    # Celery caches the app's connection and producer pools; a changed broker URL needs fresh
    # ones (kombu keeps one pool per URL, so the previous broker's pools stay usable).
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def publishing_to(url: str):
    """Publish Celery tasks to the broker at `url` (not in-process) inside the block."""
    from nextal.celery import app

    previous = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = url, False
    _reset_broker_pool(app)
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = previous
        _reset_broker_pool(app)


@pytest.fixture
def redis_down():
    """The broker is unreachable: publishing a task is refused at the network level."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"
