"""Moving many cards of one board to one stage at once ("Move selected to…").

One transaction: the board's stage lock (as for one card), the cards appended to the bottom of
the target column in the order given, every column they left renumbered, one timeline entry
each, and one stage entry each (`pipeline_hooks.enter_stage`: automations queue their texts
in a few statements, published after the move commits).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from candidates.models import Application, Stage, TimelineEvent
from candidates.pipeline_hooks import enter_stage
from candidates.services import _lock_stages, _renumber, actor_name, record_events
from core.batching import chunks


@transaction.atomic
def move_applications(job, application_ids, *, stage: Stage, by) -> list[Application]:
    """Move the job's cards `application_ids` to the bottom of `stage`; returns the cards that
    changed stage (cards already there stay where they are)."""
    stages = _lock_stages(job.pk)
    if stage.pk not in stages:
        raise ValidationError("That stage belongs to another job.", code="wrong_job")
    wanted = list(dict.fromkeys(int(pk) for pk in application_ids))
    cards = {}
    for chunk in chunks(wanted):
        cards.update(
            Application.objects.select_for_update(of=("self",))
            .filter(job=job, pk__in=chunk)
            .select_related("candidate", "job")
            .in_bulk()
        )
    moving = [cards[pk] for pk in wanted if pk in cards and cards[pk].stage_id != stage.pk]
    if not moving:
        return []
    sources = {card.pk: card.stage_id for card in moving}
    moving_ids = set(sources)
    target = list(
        Application.objects.select_for_update()
        .filter(stage=stage)
        .order_by("position", "id")
        .only("id", "position", "stage_id")
    )
    now = timezone.now()
    for card in moving:
        card.stage, card.updated_at = stage, now
    changed = _renumber([*target, *moving])
    for source_id in set(sources.values()):
        column = (
            Application.objects.select_for_update()
            .filter(stage_id=source_id)
            .exclude(pk__in=moving_ids)
            .order_by("position", "id")
            .only("id", "position", "stage_id")
        )
        changed += _renumber(list(column))
    stationary = [card for card in changed if card.pk not in moving_ids]
    Application.objects.bulk_update(stationary, ["position"], batch_size=500)
    Application.objects.bulk_update(moving, ["stage", "position", "updated_at"], batch_size=500)
    name = actor_name(by)
    record_events(
        (
            (
                card.candidate_id,
                TimelineEvent.Kind.MOVED,
                f"Moved from {stages[sources[card.pk]].name} to {stage.name} by {name}",
                {
                    "application_id": card.pk,
                    "job_id": job.pk,
                    "job_title": job.title,
                    "from_stage": stages[sources[card.pk]].name,
                    "to_stage": stage.name,
                    "from_stage_id": sources[card.pk],
                    "to_stage_id": stage.pk,
                },
            )
            for card in moving
        ),
        by=by,
    )
    enter_stage(moving, stage, by=by, now=now)
    return moving
