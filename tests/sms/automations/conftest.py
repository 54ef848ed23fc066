"""Fixtures for stage automations: a job (its recruiter Riley) with cards, an active template
and a rule factory (the active Twilio, `active_twilio`, is in tests/sms/conftest.py)."""

import pytest

from candidates import services
from sms.models import AutomationRule, SmsTemplate

PEOPLE = [
    ("Ada", "Lovelace", "+12025550101"),
    ("Grace", "Hopper", "+12025550102"),
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
    """{first name: Application}"""
    return {a.candidate.first_name: a for a in job.applications.select_related("candidate")}


@pytest.fixture
def stage(job):
    def _stage(name):
        return job.stages.get(name=name)

    return _stage


@pytest.fixture
def invite(db):
    return SmsTemplate.objects.create(
        name="Interview invite",
        body="Hi {{first_name}}, can we set up an interview for {{job_title}}?",
    )


@pytest.fixture
def rule(job, stage, invite, recruiter):
    def _rule(stage_name="Interview", delay=0, **fields):
        return AutomationRule.objects.create(
            name=fields.pop("name", "Interview invite"),
            job=job,
            stage=stage(stage_name),
            template=fields.pop("template", invite),
            delay_minutes=delay,
            created_by=recruiter,
            **fields,
        )

    return _rule


@pytest.fixture
def move(recruiter, django_capture_on_commit_callbacks):
    """Move a card as the board does, running what is published after commit."""

    def _move(application, stage, by=recruiter):
        with django_capture_on_commit_callbacks(execute=True):
            return services.move_application(application, stage=stage, position=None, by=by)

    return _move
