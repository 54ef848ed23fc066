"""Business rules for candidates, jobs and the pipeline. Views and commands call these.

Every change runs in one transaction and leaves a TimelineEvent on the candidate. Kanban moves
lock the job's stage rows first (a per-job lock taken in a fixed order), so two people dragging
cards on the same board never interleave their renumbering.
"""

import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone

from candidates.models import DEFAULT_STAGES, Application, Candidate, Job, Stage, TimelineEvent
from candidates.pipeline_hooks import enter_stage, job_created
from core.phone import to_e164

# Fields a recruiter edits on the candidate form, in the order the timeline lists them.
EDITABLE_CANDIDATE_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "email",
    "time_zone",
    "preferred_language",
    "owner",
)


class AlreadyApplied(ValidationError):
    """The candidate is already in this job's pipeline (one application per candidate × job)."""


def actor_name(user) -> str:
    if user is None:
        return "Nextal"
    return user.get_full_name() or user.get_username()


def normalize_phone(raw: str) -> str:
    """E.164 for a typed number, "" for an empty one; ValidationError for anything invalid."""
    if not (raw or "").strip():
        return ""
    return to_e164(raw)


def candidates_sharing_phone(phone: str, *, exclude=None):
    """Other candidates with this E.164 number (allowed: family and work phones are shared)."""
    if not phone:
        return Candidate.objects.none()
    others = Candidate.objects.filter(phone=phone).order_by("last_name", "first_name", "id")
    if exclude is not None and exclude.pk:
        others = others.exclude(pk=exclude.pk)
    return others


# --- The timeline ------------------------------------------------------------------------------
# Other apps (SMS) write their entries through these functions, never by creating rows.


def record_event(candidate, kind, description, *, by=None, data=None) -> TimelineEvent:
    """Add an entry to a candidate's timeline. `candidate` is a Candidate or its id."""
    candidate_id = candidate if isinstance(candidate, int) else candidate.pk
    return TimelineEvent.objects.create(
        candidate_id=candidate_id,
        kind=kind,
        actor=by,
        description=description[:500],
        data=data or {},
    )


def record_events(entries, *, by=None) -> int:
    """Many timeline entries at once (a bulk send's skips and holds):
    `entries` is an iterable of (candidate id, kind, description, data)."""
    events = TimelineEvent.objects.bulk_create(
        (
            TimelineEvent(
                candidate_id=candidate_id,
                kind=kind,
                actor=by,
                description=description[:500],
                data=data or {},
            )
            for candidate_id, kind, description, data in entries
        ),
        batch_size=1000,
    )
    return len(events)


def record_event_for_phone(phone: str, kind, description, *, data=None) -> int:
    """The same entry on the timeline of every candidate with this E.164 number; returns how
    many were written (an opt-out applies to everyone sharing the number). One statement
    (`INSERT … SELECT`): replies that record consent or opt out call it per message."""
    table, candidates = TimelineEvent._meta.db_table, Candidate._meta.db_table
    json_param = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    # The tables are the models' and every value a parameter.
    sql = (
        f"INSERT INTO {table} (candidate_id, kind, actor_id, description, data, created_at) "  # noqa: S608
        f"SELECT id, %s, NULL, %s, {json_param}, %s FROM {candidates} WHERE phone = %s"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [kind, description[:500], json.dumps(data or {}), now, phone])
        return cursor.rowcount


# --- Candidates ----------------------------------------------------------------------------------


@transaction.atomic
def create_candidate(
    *,
    first_name,
    last_name,
    phone="",
    email="",
    time_zone="",
    preferred_language="",
    owner=None,
    job=None,
    by,
) -> Candidate:
    """Create a candidate (phone stored as E.164) and, when `job` is given, apply them to it."""
    candidate = Candidate.objects.create(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        phone=normalize_phone(phone),
        email=(email or "").strip(),
        time_zone=time_zone or "",
        preferred_language=preferred_language or "",
        owner=owner if owner is not None else by,
        created_by=by,
    )
    record_event(
        candidate,
        TimelineEvent.Kind.CREATED,
        f"Candidate created by {actor_name(by)}",
        by=by,
    )
    if job is not None:
        apply(candidate, job, by=by)
    return candidate


@transaction.atomic
def update_candidate(candidate: Candidate, *, by, **changes) -> list[str]:
    """Apply `changes` (a subset of EDITABLE_CANDIDATE_FIELDS); return the changed field names.

    Saving an unchanged form records nothing.
    """
    unknown = set(changes) - set(EDITABLE_CANDIDATE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    if "phone" in changes:
        changes["phone"] = normalize_phone(changes["phone"])
    for name in ("first_name", "last_name", "email", "time_zone", "preferred_language"):
        if name in changes:
            changes[name] = (changes[name] or "").strip()

    changed = [
        name
        for name in EDITABLE_CANDIDATE_FIELDS
        if name in changes and getattr(candidate, name) != changes[name]
    ]
    if not changed:
        return []
    for name in changed:
        setattr(candidate, name, changes[name])
    candidate.save(update_fields=[*changed, "updated_at"])
    labels = [Candidate._meta.get_field(name).verbose_name for name in changed]
    record_event(
        candidate,
        TimelineEvent.Kind.UPDATED,
        f"{_sentence_list(labels).capitalize()} updated by {actor_name(by)}",
        by=by,
        data={"fields": changed},
    )
    return changed


def _sentence_list(words) -> str:
    words = [str(w).lower() for w in words]
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} and {words[-1]}"


# --- Jobs ----------------------------------------------------------------------------------------


@transaction.atomic
def create_job(*, title, location="", recruiter=None, status=Job.Status.OPEN) -> Job:
    """Create a job with the default pipeline (Applied … Rejected)."""
    job = Job.objects.create(
        title=title.strip(), location=(location or "").strip(), recruiter=recruiter, status=status
    )
    Stage.objects.bulk_create(
        Stage(job=job, name=name, position=i) for i, name in enumerate(DEFAULT_STAGES)
    )
    job_created(job)  # e.g. the company's default stage automations are copied to it
    return job


@transaction.atomic
def update_job(job: Job, *, title, location, recruiter, status) -> Job:
    job.title = title.strip()
    job.location = (location or "").strip()
    job.recruiter = recruiter
    job.status = status
    job.save(update_fields=["title", "location", "recruiter", "status"])
    return job


# --- Applications and the kanban -----------------------------------------------------------------


def _lock_stages(job_id) -> dict[int, Stage]:
    """Lock every stage of a job, in position order: the board's lock for column changes."""
    return {
        stage.pk: stage
        for stage in Stage.objects.select_for_update().filter(job_id=job_id).order_by("position")
    }


@transaction.atomic
def apply(candidate: Candidate, job: Job, *, by, stage: Stage | None = None) -> Application:
    """Put the candidate at the bottom of the job's first stage (or `stage`).

    Raises AlreadyApplied when the candidate is already in this job's pipeline; the database's
    unique constraint settles races between two people applying the same candidate.
    """
    stages = _lock_stages(job.pk)
    if not stages:
        raise ValidationError(f"{job.title} has no pipeline stages.", code="no_stages")
    if stage is None:
        stage = next(iter(stages.values()))
    elif stage.pk not in stages:
        raise ValidationError("That stage belongs to another job.", code="wrong_job")

    already = AlreadyApplied(
        f"{candidate.full_name} has already applied to {job.title}.", code="already_applied"
    )
    if Application.objects.filter(candidate=candidate, job=job).exists():
        raise already
    bottom = Application.objects.filter(stage=stage).count()
    try:
        with transaction.atomic():
            application = Application.objects.create(
                candidate=candidate, job=job, stage=stage, position=bottom
            )
    except IntegrityError as exc:
        raise already from exc
    record_event(
        candidate,
        TimelineEvent.Kind.APPLIED,
        f"Applied to {job.title} by {actor_name(by)}",
        by=by,
        data={"job_id": job.pk, "job_title": job.title, "stage": stage.name},
    )
    enter_stage([application], stage, by=by)  # after the entry: automations write theirs next
    return application


@dataclass(frozen=True)
class MoveResult:
    application: Application
    from_stage: Stage
    to_stage: Stage
    # The timeline entry; None when the card only changed its place inside its column.
    event: TimelineEvent | None

    @property
    def changed_stage(self) -> bool:
        return self.from_stage.pk != self.to_stage.pk


@transaction.atomic
def move_application(application: Application, *, stage: Stage, position: int | None, by):
    """Move a card to `stage` at `position` (0 = top, None = bottom) and renumber both columns.

    Positions in every column touched stay 0..n-1. Moving to another stage records a `moved`
    timeline event; reordering inside a column is board housekeeping and records nothing.
    """
    stages = _lock_stages(application.job_id)
    if stage.pk not in stages:
        raise ValidationError("That stage belongs to another job.", code="wrong_job")
    # Re-read under the lock: the card may have moved since the caller loaded it.
    application = Application.objects.select_for_update().get(pk=application.pk)
    source, target = stages[application.stage_id], stages[stage.pk]
    before = (application.stage_id, application.position)

    def column(stage_id):
        return list(
            Application.objects.select_for_update()
            .filter(stage_id=stage_id)
            .exclude(pk=application.pk)
            .order_by("position", "id")
            .only("id", "position", "stage_id")
        )

    target_cards = column(target.pk)
    index = len(target_cards) if position is None else max(0, min(position, len(target_cards)))
    target_cards.insert(index, application)
    application.stage = target
    renumbered = _renumber(target_cards)
    if source.pk != target.pk:
        renumbered += _renumber(column(source.pk))
    changed = [card for card in renumbered if card.pk != application.pk]
    if changed:
        Application.objects.bulk_update(changed, ["position"], batch_size=500)
    if (application.stage_id, application.position) != before:
        application.save(update_fields=["stage", "position", "updated_at"])

    event = None
    if source.pk != target.pk:
        event = record_event(
            application.candidate,
            TimelineEvent.Kind.MOVED,
            f"Moved from {source.name} to {target.name} by {actor_name(by)}",
            by=by,
            data={
                "application_id": application.pk,
                "job_id": application.job_id,
                "job_title": application.job.title,
                "from_stage": source.name,
                "to_stage": target.name,
                "from_stage_id": source.pk,
                "to_stage_id": target.pk,
            },
        )
        enter_stage([application], target, by=by)
    return MoveResult(application=application, from_stage=source, to_stage=target, event=event)


def _renumber(cards) -> list[Application]:
    """Give `cards` positions 0..n-1 in list order; return the ones whose position changed."""
    changed = []
    for index, card in enumerate(cards):
        if card.position != index:
            card.position = index
            changed.append(card)
    return changed


def stage_counts(job) -> dict[int, int]:
    """Cards per stage of a job, including empty stages: {stage_id: count}."""
    counts = dict.fromkeys(job.stages.values_list("pk", flat=True), 0)
    rows = Application.objects.filter(job=job).order_by().values("stage_id").annotate(n=Count("id"))
    for row in rows:
        counts[row["stage_id"]] = row["n"]
    return counts
