"""Fixtures for sending SMS from the kanban board: a job with cards and an opted-out number (the
active Twilio, `active_twilio`, is in tests/sms/conftest.py)."""

import pytest
from django.utils import timezone

from candidates import services
from sms.models import OptOut

# (first, last, phone). Valid US numbers except where noted.
PEOPLE = [
    ("Maya", "Patel", "+12025550101"),
    ("Jordan", "Brooks", "+12025550102"),
    ("Sofia", "Ramirez", "+12025550103"),
    ("Olga", "Optout", "+12025550104"),  # opted out (fixture `opted_out`)
    ("Nadia", "Nophone", ""),
]


@pytest.fixture
def job(db, recruiter):
    job = services.create_job(title="Senior Backend Engineer", recruiter=recruiter)
    for first, last, phone in PEOPLE:
        candidate = services.create_candidate(
            first_name=first, last_name=last, phone=phone, by=recruiter
        )
        services.apply(candidate, job, by=recruiter)
    return job


@pytest.fixture
def cards(job):
    """{first name: Application} of the job's board."""
    return {a.candidate.first_name: a for a in job.applications.select_related("candidate")}


@pytest.fixture
def opted_out(db):
    return OptOut.objects.create(
        phone_number="+12025550104",
        source=OptOut.Source.KEYWORD,
        detail="STOP",
        changed_at=timezone.now(),
    )
