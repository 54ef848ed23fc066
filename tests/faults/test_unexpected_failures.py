"""Failures nobody classified: a send cut short by the task's soft time limit while the provider
already has the message, and a broker that stops answering in the middle of publishing a batch.

Real prefork workers on Redis and PostgreSQL; the fake provider counts what it accepted.
"""

import pytest
from celery import current_app
from celery.signals import before_task_publish

from sms.models import Message, MessageStatus
from sms.outbox import publishing
from sms.outbox.bulk import queue_bulk
from sms.outbox.queueing import queue_message
from sms.outbox.sending import OUTCOME_UNKNOWN
from sms.outbox.sweeper import sweep_outbox
from tests.factories import CandidateFactory
from tests.fakes.provider_server import closed_port_url
from tests.helpers.broker import publishing_to, settle, wait_for_publishers
from tests.helpers.messages import statuses
from tests.helpers.polling import wait_until
from tests.helpers.providers import configure

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_a_send_cut_short_by_the_soft_time_limit_is_outcome_unknown_never_resent(
    start_worker, broker_url, fake_provider, recruiter
):
    """The provider took the message and is slow to answer; the task's soft time limit fires
    inside the HTTP call. Not a classified provider error: the catch-all must call it "outcome
    unknown", not let the task fail (and be retried) or count it as sent."""
    configure("twilio")
    fake_provider.queue("twilio.send", status=201, delay=10)
    worker = start_worker(broker_url, fake_provider.url)
    with publishing_to(closed_port_url()):  # saved, its task not published yet
        message = queue_message(CandidateFactory(), "Interview on Monday?", sent_by=recruiter)
    with publishing_to(broker_url):
        # Published as the sweeper would, with a 2 s soft limit instead of the configured 60 s
        # (the worker obeys the limits a task message carries).
        current_app.tasks["sms.send_message"].apply_async((message.pk,), soft_time_limit=2)
        wait_until(
            lambda: statuses(pk=message.pk) == {message.pk: MessageStatus.UNKNOWN},
            timeout=30,
            what="outcome unknown",
        )
        assert settle(broker_url).dispatched == 0

    message.refresh_from_db()
    assert message.error_message == OUTCOME_UNKNOWN
    assert message.attempts == 1
    assert "SoftTimeLimitExceeded" in worker.log()
    assert f"Unexpected error sending SMS #{message.pk}" in worker.log()
    assert fake_provider.sends_by_reference() == {str(message.pk): 1}


def test_a_broker_that_hangs_mid_batch_leaves_the_rest_for_the_sweeper(
    private_redis, start_worker, fake_provider, recruiter, caplog, monkeypatch
):
    """Redis stops answering at the third of five publications (pipelines of two): the first
    pipeline's two go out, the three after it are marked unpublished and the sweeper sends
    them; each exactly once. (The pipeline that timed out may still reach Redis once it answers
    again: a publish that timed out is itself "maybe sent", and the send task's claim makes a
    second copy harmless.)"""
    configure("twilio")
    monkeypatch.setattr(publishing, "PIPELINE", 2)
    candidates = CandidateFactory.create_batch(5)
    published = []

    def hang_at_the_third(sender=None, **kwargs):
        published.append(sender)
        if len(published) == 3:
            private_redis.freeze()

    before_task_publish.connect(hang_at_the_third, weak=False)
    try:
        with publishing_to(private_redis.url):
            bulk = queue_bulk(candidates, "Hi {{first_name}}", sent_by=recruiter)
            wait_for_publishers()  # bulk sends publish behind the request
    finally:
        before_task_publish.disconnect(hang_at_the_third)
        private_redis.thaw()

    ids = sorted(bulk.messages.values_list("pk", flat=True))
    unpublished = set(
        Message.objects.filter(pk__in=ids, enqueued_at__isnull=True).values_list("pk", flat=True)
    )
    assert unpublished == set(ids[2:])  # stopped at the first failure: the rest wait
    assert "Could not publish 3 SMS send task(s)" in caplog.text
    assert set(statuses(pk__in=ids).values()) == {MessageStatus.QUEUED}

    start_worker(private_redis.url, fake_provider.url)
    wait_until(
        lambda: set(statuses(pk__in=ids[:2]).values()) == {MessageStatus.SENT},
        timeout=30,
        what="the two published sends",
    )
    with publishing_to(private_redis.url):
        assert sweep_outbox().dispatched in (1, 2, 3)
        wait_until(
            lambda: set(statuses(pk__in=ids).values()) == {MessageStatus.SENT},
            timeout=30,
            what="the whole batch",
        )
        assert settle(private_redis.url).dispatched == 0
    assert fake_provider.sends_by_reference() == {str(pk): 1 for pk in ids}
