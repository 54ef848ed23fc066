"""Celery workers killed with SIGKILL in the middle of a batch: nothing is sent twice, nothing
stays queued, and what a dead worker was holding is sent again by the database sweeper.

Real `celery worker --pool prefork` processes on Redis (and, for the kill mid-batch, on
RabbitMQ too) and PostgreSQL, sending to the fake
provider over HTTP with a per-request delay so that the kills land while sends are in flight.
The fake counts accepted sends per message reference: that count, not our database, decides
"sent twice".
"""

import os
import signal
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from sms.models import MessageStatus
from sms.outbox.bulk import queue_bulk
from sms.outbox.sweeper import LOST_TASK_AFTER, SENDING_DEADLINE, sweep_outbox
from tests.factories import CandidateFactory
from tests.faults.redis_broker import held_send_ids
from tests.faults.workers import process_exists
from tests.helpers.broker import broker_is_drained, publishing_to, wait_for_publishers
from tests.helpers.messages import statuses
from tests.helpers.polling import wait_until
from tests.helpers.providers import configure

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

BODY = "Your interview on Monday is confirmed."
RECOVERY_LIMIT_SECONDS = 120  # issue 6: held sends resume within 2 minutes


@pytest.fixture
def publisher(broker_url):
    """This process publishes tasks to the workers' Redis (not in-process)."""
    with publishing_to(broker_url):
        yield


def queue_batch(size: int, sent_by) -> list[int]:
    bulk = queue_bulk(CandidateFactory.create_batch(size), BODY, sent_by=sent_by)
    ids = sorted(bulk.messages.values_list("pk", flat=True))
    assert len(ids) == size
    return ids


def sweep_after_the_sending_deadline():
    """What the sweeper does once SENDING_DEADLINE has passed (150 s: longer than the task time
    limit), without waiting for it: messages still `sending` become outcome unknown."""
    return sweep_outbox(now=timezone.now() + SENDING_DEADLINE + timedelta(seconds=1))


def assert_sent_at_most_once(fake, message_ids):
    sends = fake.sends_by_reference()
    assert {ref: n for ref, n in sends.items() if n > 1} == {}, "a message was sent twice"
    assert fake.stats()["duplicate_references"] == 0
    assert set(sends) <= {str(pk) for pk in message_ids}
    return sends


@pytest.mark.timeout(300)  # up to LOST_TASK_AFTER + 60 s for the queue to drain
def test_pool_processes_killed_mid_batch_never_send_twice_nor_stay_queued(
    start_worker, any_broker_url, fake_provider, recruiter
):
    broker_url = any_broker_url
    configure("twilio")
    fake_provider.delay = 0.25  # a pool process spends most of each task waiting on the provider
    worker = start_worker(broker_url, fake_provider.url)
    with publishing_to(broker_url):
        message_ids = queue_batch(80, recruiter)
        wait_for_publishers()

    killed = []
    for sent_so_far in (10, 30, 50):
        wait_until(
            lambda n=sent_so_far: fake_provider.stats()["accepted_sends"] >= n,
            timeout=60,
            what=f"{sent_so_far} sends",
        )
        # Each kill takes the next pool process in pid order: the same choice on every run.
        pids = sorted(worker.pool_pids())
        victim = pids[len(killed) % len(pids)]
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)

    # Recovery: the worker replaces the dead pool processes and the broker redelivers their
    # tasks (acks_late + reject_on_worker_lost); the sweeper runs as beat would, for any lost
    # task.
    def drained():
        sweep_outbox()
        queued = statuses(pk__in=message_ids, status=MessageStatus.QUEUED)
        return not queued and broker_is_drained(broker_url)

    with publishing_to(broker_url):
        wait_until(drained, timeout=LOST_TASK_AFTER.total_seconds() + 60, what="the queue to drain")
    in_flight_at_a_kill = statuses(pk__in=message_ids, status=MessageStatus.SENDING)
    sweep_after_the_sending_deadline()

    final = statuses(pk__in=message_ids)
    sends = assert_sent_at_most_once(fake_provider, message_ids)
    assert set(Counter(final.values())) <= {MessageStatus.SENT, MessageStatus.UNKNOWN}
    sent = {pk for pk, status in final.items() if status == MessageStatus.SENT}
    unknown = {pk for pk, status in final.items() if status == MessageStatus.UNKNOWN}
    assert {sends.get(str(pk)) for pk in sent} == {1}
    # Only a message a killed process was sending can be unknown: at most one per kill. At least
    # one kill must have landed mid-send, or this test proved nothing.
    assert unknown == set(in_flight_at_a_kill)
    assert 1 <= len(unknown) <= len(killed), worker.log()
    assert all(not process_exists(pid) for pid in killed)
    assert worker.log().count("exited with 'signal 9 (SIGKILL)'") == len(killed)


@pytest.mark.timeout(300)  # waits for the real sweeper to give back what the dead worker held
def test_what_a_killed_worker_held_is_sent_again_within_two_minutes(
    start_worker, broker_url, publisher, fake_provider, recruiter, tmp_path, record_property
):
    configure("twilio")
    fake_provider.delay = 0.5
    # A worker that reserves ahead (prefetch 4 × 2 processes): besides the 2 sends in flight it
    # holds 6 tasks it has not started. With the default multiplier of 1 it holds only the 2 in
    # flight, the case below that ends "outcome unknown".
    doomed = start_worker(broker_url, fake_provider.url, "--prefetch-multiplier", "4")
    message_ids = queue_batch(30, recruiter)
    wait_until(lambda: fake_provider.stats()["accepted_sends"] >= 4, timeout=30, what="4 sends")
    wait_until(lambda: len(held_send_ids(broker_url)) == 8, timeout=10, what="8 held tasks")

    pool = doomed.pool_pids()
    doomed.kill_main()
    killed_at = time.monotonic()
    wait_until(lambda: not any(map(process_exists, pool)), timeout=10, what="the pool to die")
    held = held_send_ids(broker_url)
    at_kill = statuses(pk__in=held)
    in_flight = {pk for pk, status in at_kill.items() if status == MessageStatus.SENDING}
    waiting = {pk for pk, status in at_kill.items() if status == MessageStatus.QUEUED}
    assert (len(in_flight), len(waiting)) == (2, 6), at_kill

    # A replacement worker with beat: the real 30 s sweep and the real 60 s lost-task age.
    start_worker(broker_url, fake_provider.url, "-B", "--schedule", str(tmp_path / "beat"))
    resumed_after = {}

    def held_sends_resumed():
        for pk, status in statuses(pk__in=waiting).items():
            if status == MessageStatus.SENT and pk not in resumed_after:
                resumed_after[pk] = time.monotonic() - killed_at
        return len(resumed_after) == len(waiting)

    wait_until(held_sends_resumed, timeout=RECOVERY_LIMIT_SECONDS, interval=0.5, what="resume")
    recovery = max(resumed_after.values())
    record_property("held_sends_recovery_seconds", round(recovery, 1))
    print(f"\nheld sends resumed {recovery:.1f}s after the kill")
    # Redis alone would not give them back for an hour: the sweeper did, after LOST_TASK_AFTER.
    assert recovery >= LOST_TASK_AFTER.total_seconds() - 5
    assert (
        recovery
        <= LOST_TASK_AFTER.total_seconds() + django_settings.SMS_SWEEP_INTERVAL_SECONDS + 10
    )

    others = set(message_ids) - held
    wait_until(
        lambda: set(statuses(pk__in=others).values()) == {MessageStatus.SENT},
        timeout=30,
        what="the rest of the batch",
    )
    # The two sends in flight at the kill may have reached the provider (the fake counted them):
    # never resent, and outcome unknown once the sending deadline has passed.
    assert set(statuses(pk__in=in_flight).values()) == {MessageStatus.SENDING}
    sweep_after_the_sending_deadline()
    assert set(statuses(pk__in=in_flight).values()) == {MessageStatus.UNKNOWN}

    sends = assert_sent_at_most_once(fake_provider, message_ids)
    assert {sends.get(str(pk)) for pk in set(message_ids) - in_flight} == {1}
