"""Fast data for board and list tests: thousands of rows with bulk_create, no per-row signals."""

from candidates.models import Application, Candidate, Stage

# Valid US numbers (the 202-555-01xx block is fictional; phonenumbers accepts 202-555-xxxx).
_FIRST_NUMBER = 2025551000


def bulk_candidates(count, *, prefix="Bulk", start=0):
    candidates = [
        Candidate(
            first_name=f"{prefix}{start + i}",
            last_name="Person",
            email=f"{prefix.lower()}{start + i}@example.com",
            phone=f"+1{_FIRST_NUMBER + start + i}",
        )
        for i in range(count)
    ]
    return Candidate.objects.bulk_create(candidates)


def bulk_applications(job, count, *, prefix="Bulk"):
    """`count` candidates spread over the job's stages, positions 0..n-1 in each column."""
    stages = list(Stage.objects.filter(job=job).order_by("position"))
    candidates = bulk_candidates(count, prefix=prefix)
    per_stage = {}
    applications = []
    for i, candidate in enumerate(candidates):
        stage = stages[i % len(stages)]
        position = per_stage.get(stage.pk, 0)
        per_stage[stage.pk] = position + 1
        applications.append(
            Application(candidate=candidate, job=job, stage=stage, position=position)
        )
    return Application.objects.bulk_create(applications)


def column(stage):
    """(candidate first name, position) of a column, top to bottom."""
    return list(
        Application.objects.filter(stage=stage)
        .order_by("position", "id")
        .values_list("candidate__first_name", "position")
    )


def shown_cards(job, per_column=50):
    """How many cards the board renders at first: each column's first `per_column`."""
    return sum(
        min(Application.objects.filter(stage=stage).count(), per_column)
        for stage in Stage.objects.filter(job=job)
    )
