"""Automated texts through a real Celery worker on Redis (2 worker threads): a bulk move's
texts, each task published twice and the sweeper run on top, reach the fake provider exactly
once per card; a delayed rule's texts, dispatched by two sweeps at once, too."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from candidates.bulk_moves import move_applications
from candidates.models import Application
from nextal.celery import app
from sms.models import Message, MessageStatus
from sms.outbox.publishing import enqueue_sends
from sms.outbox.sweeper import sweep_outbox
from tests.factories import CandidateFactory
from tests.helpers.broker import reset_broker_pool, settle
from tests.helpers.concurrency import run_at_once
from tests.helpers.polling import wait_until

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
CARDS = 20


@pytest.fixture
def worker(celery_worker):
    reset_broker_pool(app)
    yield celery_worker
    reset_broker_pool(app)


@pytest.fixture
def many(job, stage):
    applied = stage("Applied")
    candidates = CandidateFactory.create_batch(CARDS)
    Application.objects.bulk_create(
        Application(candidate=c, job=job, stage=applied, position=i)
        for i, c in enumerate(candidates)
    )
    return list(Application.objects.filter(candidate__in=candidates).values_list("pk", flat=True))


def sends_per_number(fake_provider):
    numbers = Message.objects.values_list("to_number", flat=True)
    return {fake_provider.sends_to(number) for number in numbers}


def test_a_bulk_moves_texts_are_sent_once_each_despite_duplicate_tasks(
    worker, recruiter, active_twilio, fake_provider, job, stage, rule, many
):
    rule()
    move_applications(job, many, stage=stage("Interview"), by=recruiter)
    ids = list(Message.objects.values_list("pk", flat=True))
    assert len(ids) == CARDS
    enqueue_sends(ids)  # every task delivered twice
    wait_until(
        lambda: Message.objects.filter(status=MessageStatus.SENT).count() == CARDS,
        timeout=60,
        what="every automated text sent",
    )
    settle(os.environ["REDIS_URL"])
    assert sends_per_number(fake_provider) == {1}


def test_a_delayed_rules_texts_dispatched_by_two_sweeps_go_once(
    worker, recruiter, active_twilio, fake_provider, job, stage, rule, many, travel
):
    start = timezone.now()
    travel(start)
    rule(delay=30)
    move_applications(job, many, stage=stage("Interview"), by=recruiter)
    assert Message.objects.filter(status=MessageStatus.QUEUED).count() == CARDS
    assert sweep_outbox().dispatched == 0  # not due yet
    travel(start + timedelta(minutes=31))  # the worker thread shares this process's clock
    run_at_once(sweep_outbox, count=2)
    wait_until(
        lambda: Message.objects.filter(status=MessageStatus.SENT).count() == CARDS,
        timeout=60,
        what="every delayed text sent",
    )
    settle(os.environ["REDIS_URL"])
    assert sends_per_number(fake_provider) == {1}
