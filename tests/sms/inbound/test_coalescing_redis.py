"""The coalescing flag on a real Redis: while a processing task holds it, a webhook's request
publishes nothing more, but a task handing over past its time budget publishes its successor
(`coalesce=False`), a helper's as a helper."""

import os

import pytest
from celery import current_app

from nextal.celery import app
from sms.inbound import events

pytestmark = pytest.mark.redis


@pytest.fixture
def held_flags(monkeypatch):
    monkeypatch.setitem(app.conf, "broker_url", os.environ["REDIS_URL"])
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(events, "_flag_client", None)  # a client for this broker
    flags = events._flags()
    flags.set(events.PROCESSING_FLAG, "1", ex=60)
    flags.set(events.HELPER_FLAG, "1", ex=60)
    published = []
    task = current_app.tasks[events.PROCESS_TASK]
    monkeypatch.setattr(task, "delay", lambda ids, **options: published.append((ids, options)))
    yield published
    flags.delete(events.PROCESSING_FLAG, events.HELPER_FLAG)


def test_while_the_flag_is_held_a_webhook_publishes_nothing_more(held_flags):
    assert events.publish_processing([7]) is True
    assert events.publish_processing([], helper=True) is True
    assert held_flags == []


def test_a_hand_over_publishes_its_successor_whatever_the_flag(held_flags):
    assert events.publish_processing([], coalesce=False) is True
    assert events.publish_processing([], coalesce=False, helper=True) is True
    assert held_flags == [([], {}), ([], {"helper": True})]
