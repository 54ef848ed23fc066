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


@pytest.fixture
def free_flags(held_flags):
    events._flags().delete(events.PROCESSING_FLAG, events.HELPER_FLAG)
    return held_flags


def test_a_free_flag_is_taken_for_a_while_and_the_task_published(free_flags):
    assert events.publish_processing([7]) is True

    flags = events._flags()
    assert free_flags == [([7], {})]
    assert flags.get(events.PROCESSING_FLAG) == b"1"
    assert 0 < flags.ttl(events.PROCESSING_FLAG) <= events.FLAG_SECONDS  # it expires by itself
    assert flags.get(events.HELPER_FLAG) is None


def test_a_refused_publish_frees_the_flag_and_says_so(free_flags, monkeypatch, caplog):
    from kombu.exceptions import OperationalError

    def refused(ids, **options):
        raise OperationalError("the broker refused")

    monkeypatch.setattr(current_app.tasks[events.PROCESS_TASK], "delay", refused)

    assert events.publish_processing([7, 8]) is False

    assert events._flags().get(events.PROCESSING_FLAG) is None  # the next webhook publishes
    [record] = [r for r in caplog.records if r.name == "sms.inbound.events"]
    assert (record.levelname, record.getMessage()) == (
        "WARNING",
        "Could not publish the processing of 2 webhook event(s) (OperationalError: the broker "
        "refused); the sweeper will process them.",
    )
