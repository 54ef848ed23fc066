"""Hooks other apps register to act on the pipeline without this app importing them.

SMS registers a stage-entry listener (stage automations) and a job-created listener (copying
the company's default automations to a new job) in `SmsConfig.ready`. Listeners run inside the
transaction that moved the cards, so what they write commits or rolls back with the move.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from candidates.models import StageEntry

# listener(entered: list[StageEntry], left: list[StageEntry], *, by)
StageListener = Callable[..., None]
STAGE_LISTENERS: list[StageListener] = []
# listener(job)
JOB_CREATED_LISTENERS: list[Callable] = []


def on_stage_change(listener: StageListener) -> None:
    if listener not in STAGE_LISTENERS:
        STAGE_LISTENERS.append(listener)


def on_job_created(listener: Callable) -> None:
    if listener not in JOB_CREATED_LISTENERS:
        JOB_CREATED_LISTENERS.append(listener)


def job_created(job) -> None:
    for listener in JOB_CREATED_LISTENERS:
        listener(job)


def enter_stage(applications, stage, *, by, now=None) -> list[StageEntry]:
    """Close the open entries of `applications` (they leave their stage) and open one in
    `stage` for each; tell the listeners. Call inside the move's transaction, with the cards
    locked. Returns the new entries."""
    assert transaction.get_connection().in_atomic_block
    now = now or timezone.now()
    ids = [application.pk for application in applications]
    left = list(
        StageEntry.objects.select_for_update().filter(application_id__in=ids, left_at__isnull=True)
    )
    if left:
        StageEntry.objects.filter(pk__in=[entry.pk for entry in left]).update(left_at=now)
        for entry in left:
            entry.left_at = now
    entered = StageEntry.objects.bulk_create(
        [
            StageEntry(application=application, stage=stage, entered_at=now, moved_by=by)
            for application in applications
        ],
        batch_size=1000,
    )
    for entry, application in zip(entered, applications, strict=True):
        entry.application = application  # listeners read the card's candidate and job
    for listener in STAGE_LISTENERS:
        listener(entered, left, by=by)
    return entered
