"""Two people on the same board at once (PostgreSQL row locks): columns stay 0..n-1 and a
candidate is applied to a job once."""

import threading

import pytest
from django.db import connection

from candidates import services
from candidates.models import Application, TimelineEvent
from tests.candidates.factories import bulk_applications
from tests.factories import CandidateFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(workers):
    """Start every worker at the same moment in its own thread (own DB connection)."""
    barrier = threading.Barrier(len(workers))
    errors = []

    def run(work):
        try:
            barrier.wait()
            work()
        except Exception as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a concurrent move did not finish in 60 s"
    return errors


def test_concurrent_moves_keep_every_column_dense(recruiter):
    job = services.create_job(title="Busy board")
    cards = bulk_applications(job, 60)  # ten per stage
    stages = list(job.stages.order_by("position"))

    def mover(offset):
        def work():
            for i, card in enumerate(cards[offset::4]):
                target = stages[(i + offset) % len(stages)]
                services.move_application(card, stage=target, position=i % 3, by=recruiter)

        return work

    errors = run_together([mover(offset) for offset in range(4)])
    assert errors == []
    assert Application.objects.filter(job=job).count() == 60
    for stage in stages:
        positions = list(
            Application.objects.filter(stage=stage)
            .order_by("position")
            .values_list("position", flat=True)
        )
        assert positions == list(range(len(positions))), stage.name


def test_applying_the_same_candidate_twice_at_once_keeps_one_application(recruiter):
    job = services.create_job(title="Popular role")
    candidate = CandidateFactory()

    def apply():
        services.apply(candidate, job, by=recruiter)

    errors = run_together([apply, apply, apply])
    assert Application.objects.filter(candidate=candidate, job=job).count() == 1
    assert len(errors) == 2
    assert all(isinstance(error, services.AlreadyApplied) for error in errors)
    assert TimelineEvent.objects.filter(candidate=candidate, kind="applied").count() == 1
