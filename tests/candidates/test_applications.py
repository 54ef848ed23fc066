"""Applications: one per candidate × job, created through the service and the profile."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from candidates import services
from candidates.models import DEFAULT_STAGES, Application, Candidate, Job, TimelineEvent
from tests.factories import ApplicationFactory, CandidateFactory, JobFactory


def test_create_job_creates_the_default_pipeline(db):
    job = services.create_job(title="  Data Engineer ", location="Berlin")
    assert job.title == "Data Engineer"
    assert list(job.stages.order_by("position").values_list("name", flat=True)) == DEFAULT_STAGES


def test_it_applies_a_candidate_to_the_bottom_of_the_first_stage(recruiter):
    job = JobFactory()
    first = services.apply(CandidateFactory(), job, by=recruiter)
    second = services.apply(
        CandidateFactory(first_name="Ada", last_name="Lovelace"), job, by=recruiter
    )
    assert first.stage.name == "Applied"
    assert (first.position, second.position) == (0, 1)
    event = TimelineEvent.objects.get(candidate=second.candidate, kind="applied")
    assert event.description == f"Applied to {job.title} by Riley Recruiter"
    assert event.actor == recruiter
    assert event.data["job_id"] == job.pk


def test_applying_twice_is_a_clear_error(recruiter):
    job = JobFactory(title="Data Engineer")
    candidate = CandidateFactory(first_name="Ada", last_name="Lovelace")
    services.apply(candidate, job, by=recruiter)
    with pytest.raises(services.AlreadyApplied) as error:
        services.apply(candidate, job, by=recruiter)
    assert error.value.messages == ["Ada Lovelace has already applied to Data Engineer."]
    assert Application.objects.count() == 1
    assert TimelineEvent.objects.filter(kind="applied").count() == 1


def test_the_database_refuses_a_second_application_for_the_same_job(db):
    application = ApplicationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            candidate=application.candidate, job=application.job, stage=application.stage
        )


def test_a_candidate_may_apply_to_several_jobs(recruiter):
    candidate = CandidateFactory()
    services.apply(candidate, JobFactory(), by=recruiter)
    services.apply(candidate, JobFactory(), by=recruiter)
    assert candidate.applications.count() == 2


def test_adding_a_candidate_can_apply_them_to_a_job(recruiter_client, recruiter):
    job = JobFactory(title="Data Engineer")
    recruiter_client.post(
        reverse("candidates:create"),
        {"first_name": "Ada", "last_name": "Lovelace", "phone": "2025550143", "job": job.pk},
    )
    candidate = Candidate.objects.get()
    assert candidate.owner == recruiter
    assert candidate.created_by == recruiter
    assert candidate.applications.get().job == job
    kinds = list(candidate.timeline.order_by("id").values_list("kind", flat=True))
    assert kinds == ["created", "applied"]


def test_closed_jobs_are_not_offered_on_the_form(recruiter_client):
    JobFactory(title="Open role")
    JobFactory(title="Old role", status=Job.Status.CLOSED)
    html = recruiter_client.get(reverse("candidates:create")).content.decode()
    assert "Open role" in html
    assert "Old role" not in html


def test_the_profile_adds_a_candidate_to_another_job(recruiter_client):
    application = ApplicationFactory()
    other = JobFactory(title="Data Engineer")
    url = reverse("candidates:apply", kwargs={"pk": application.candidate.pk})
    response = recruiter_client.post(url, {"job": other.pk}, follow=True)
    assert application.candidate.applications.filter(job=other).exists()
    assert "added to Data Engineer" in response.content.decode()
    # The job the candidate is already in is not a valid choice (and not offered).
    again = recruiter_client.post(url, {"job": application.job.pk}, follow=True)
    assert application.candidate.applications.count() == 2
    assert "Choose an open job the candidate is not in yet." in again.content.decode()


def test_applying_into_another_jobs_stage_is_refused(recruiter):
    job, other = JobFactory(), JobFactory()
    candidate = CandidateFactory()
    foreign_stage = other.stages.order_by("position").first()

    with pytest.raises(ValidationError, match=r"That stage belongs to another job\."):
        services.apply(candidate, job, by=recruiter, stage=foreign_stage)
    assert not Application.objects.exists()
