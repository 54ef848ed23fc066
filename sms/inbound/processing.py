"""Processing stored webhook events into threads, messages, statuses and opt-outs, exactly once.

A batch is claimed with `SELECT … FOR UPDATE SKIP LOCKED` and marked processed in the same
transaction that applies it, so two workers (or a worker and the sweeper) never process one
event twice, and a killed worker's batch rolls back to pending for the sweeper. Each event is
applied inside its own savepoint: one that fails keeps its error and does not undo the others.

Ordering: statuses only move forward by rank (`statuses.record_status`), whatever order they are
processed in; an inbound message keeps the provider's timestamp (else the time its webhook
arrived), so a late-processed reply still sits where it belongs in its thread.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from sms.inbound.events import from_payload
from sms.inbound.facts import SenderFacts
from sms.inbound.facts import load as load_facts
from sms.inbound.ingest import record_inbound
from sms.inbound.statuses import record_status
from sms.models import ProviderEvent

logger = logging.getLogger(__name__)

BATCH_SIZE = 50
# A task drains batches for at most this long (well inside CELERY_TASK_SOFT_TIME_LIMIT), then
# hands the rest to a new task.
TIME_BUDGET_SECONDS = 20.0
# Failed events are retried by the sweeper this many times in all, then wait for Reprocess.
MAX_ATTEMPTS = 3
# An event still pending this long after it arrived (or after its last failure) has lost its
# task (worker killed, broker down): the sweeper processes it.
STALE_AFTER = timedelta(seconds=settings.SMS_LOST_TASK_AFTER_SECONDS)
SWEEP_LIMIT = 1000


@dataclass(frozen=True)
class Processed:
    processed: int = 0
    failed: int = 0
    more: bool = False  # stopped on its time budget with events left


def apply_event(event: ProviderEvent, known: SenderFacts | None = None) -> None:
    """Apply one stored event (the same functions the webhooks used to call directly);
    `known`: what its batch read about an inbound event's sender (`facts`)."""
    normalized = _decode(event)
    if event.kind == ProviderEvent.Kind.INBOUND:
        at = normalized.received_at or event.received_at
        record_inbound(event.provider, normalized, at=at, known=known)
    else:
        record_status(event.provider, normalized, received_at=event.received_at)


def _decode(event: ProviderEvent):
    return from_payload(event.kind, event.payload)


def _apply(event: ProviderEvent, known: SenderFacts | None) -> None:
    """Apply the event in its own savepoint. What its batch read may be out of date (a
    concurrent delivery of the same reply, a thread opened meanwhile): the insert then fails on
    a unique constraint, and the event is applied again asking everything itself."""
    if known is not None:
        try:
            with transaction.atomic():
                apply_event(event, known)
        except IntegrityError:
            logger.info("Webhook event #%s: applied again without its batch's facts", event.pk)
        else:
            return
    with transaction.atomic():
        apply_event(event)


def _process_batch(pending) -> Processed:
    """Claim up to BATCH_SIZE events of `pending`, apply each, mark them, in one transaction."""
    failures: dict[int, str] = {}
    with transaction.atomic():
        events = list(pending.select_for_update(skip_locked=True).order_by("pk")[:BATCH_SIZE])
        if not events:
            return Processed()
        facts = load_facts(events, _decode)
        for event in events:
            try:
                _apply(event, facts.get(event.pk))
            except SoftTimeLimitExceeded:
                raise  # the whole batch rolls back and stays pending (not the event's fault)
            except Exception as exc:
                logger.exception("Webhook event #%s (%s) could not be processed", event.pk, event)
                failures[event.pk] = f"{type(exc).__name__}: {exc}"[:2000]
        _mark(events, failures)
    return Processed(len(events) - len(failures), len(failures))


def _mark(events: list[ProviderEvent], failures: dict[int, str]) -> None:
    """One attempt more for each; processed (in one statement) unless it failed (its error)."""
    now = timezone.now()
    attempt = {"attempts": F("attempts") + 1, "last_attempt_at": now}
    done = [event.pk for event in events if event.pk not in failures]
    if done:
        ProviderEvent.objects.filter(pk__in=done).update(**attempt, processed_at=now, error="")
    for pk, error in failures.items():
        ProviderEvent.objects.filter(pk=pk).update(**attempt, error=error)


def process_pending(*, budget: float = TIME_BUDGET_SECONDS, on_backlog=None) -> Processed:
    """Process events that arrived and were never tried, oldest first, batch by batch, for at
    most `budget` seconds; `on_backlog()` is called once if a batch comes back full (more are
    waiting: the task asks for a helper)."""
    fresh = ProviderEvent.objects.filter(processed_at__isnull=True, attempts=0)
    return _drain(fresh, budget=budget, on_backlog=on_backlog)


def sweep_events(*, now=None) -> Processed:
    """Process what was left behind: events pending past STALE_AFTER (their task was lost) and
    failed events due for another attempt (at most MAX_ATTEMPTS in all)."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    left = ProviderEvent.objects.filter(processed_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
    left = left.filter(
        Q(attempts=0, received_at__lte=cutoff) | Q(attempts__gt=0, last_attempt_at__lte=cutoff)
    )
    result = _drain(left, max_batches=SWEEP_LIMIT // BATCH_SIZE)
    if result.processed or result.failed:
        logger.info(
            "Webhook sweep: %d event(s) processed, %d failed", result.processed, result.failed
        )
    return result


def reprocess(event_ids) -> Processed:
    """An administrator's Reprocess: try these unprocessed events again now, whatever their
    attempts so far."""
    ids = list(event_ids)
    ProviderEvent.objects.filter(pk__in=ids, processed_at__isnull=True).update(attempts=0)
    again = ProviderEvent.objects.filter(pk__in=ids, processed_at__isnull=True, attempts=0)
    return _drain(again, max_batches=len(ids) // BATCH_SIZE + 1)


def _drain(
    pending, *, max_batches: int = 0, budget: float = TIME_BUDGET_SECONDS, on_backlog=None
) -> Processed:
    """Batches until one comes back short (nothing left), `max_batches` (if given) or `budget`."""
    processed = failed = batches = 0
    deadline = time.monotonic() + budget
    while True:
        batch = _process_batch(pending)
        processed, failed, batches = processed + batch.processed, failed + batch.failed, batches + 1
        if batch.processed + batch.failed < BATCH_SIZE:
            return Processed(processed, failed)
        if on_backlog is not None:
            on_backlog()
            on_backlog = None
        if batches == max_batches or time.monotonic() > deadline:
            return Processed(processed, failed, more=True)
