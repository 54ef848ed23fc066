"""The candidate profile, the edit form, the jobs list and job forms."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from candidates import services
from candidates.models import Job, TimelineEvent
from tests.factories import ApplicationFactory, CandidateFactory, JobFactory


def profile_url(candidate):
    return reverse("candidates:detail", kwargs={"pk": candidate.pk})


def test_the_profile_shows_contact_facts_applications_messages_and_timeline(
    recruiter_client, recruiter
):
    candidate = services.create_candidate(
        first_name="Ada",
        last_name="Lovelace",
        phone="(202) 555-0143",
        email="ada@example.com",
        job=JobFactory(title="Data Engineer"),
        by=recruiter,
    )
    html = recruiter_client.get(profile_url(candidate)).content.decode()
    assert "<h1>Ada Lovelace</h1>" in html
    assert "+1 202-555-0143" in html
    assert 'href="mailto:ada@example.com"' in html
    assert "Data Engineer" in html
    assert "Applied</span>" in html
    assert 'id="messages-area"' in html
    assert "Candidate created by Riley Recruiter" in html
    assert "Applied to Data Engineer by Riley Recruiter" in html


def test_the_timeline_is_newest_first_and_includes_sms_events(recruiter_client, recruiter):
    candidate = CandidateFactory()
    old = TimelineEvent.objects.create(
        candidate=candidate, kind="created", actor=recruiter, description="Candidate created"
    )
    TimelineEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    TimelineEvent.objects.create(
        candidate=candidate, kind="sms_received", description="SMS received: Yes, Tuesday works"
    )
    html = recruiter_client.get(profile_url(candidate)).content.decode()
    assert html.index("SMS received: Yes, Tuesday works") < html.index("Candidate created")


def test_editing_records_what_changed(recruiter_client, recruiter):
    candidate = CandidateFactory(first_name="Ada", last_name="Byron", email="", phone="")
    url = reverse("candidates:edit", kwargs={"pk": candidate.pk})
    form = recruiter_client.get(url)
    assert 'value="Byron"' in form.content.decode()
    response = recruiter_client.post(
        url,
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "phone": "202 555 0143",
            "email": "",
            "owner": recruiter.pk,
        },
    )
    assert response["Location"] == profile_url(candidate)
    candidate.refresh_from_db()
    assert (candidate.last_name, candidate.phone, candidate.owner) == (
        "Lovelace",
        "+12025550143",
        recruiter,
    )
    event = candidate.timeline.get(kind="updated")
    assert event.description == "Last name, phone and owner updated by Riley Recruiter"
    assert event.data == {"fields": ["last_name", "phone", "owner"]}


def test_saving_an_unchanged_form_records_nothing(recruiter_client, recruiter):
    candidate = CandidateFactory(owner=recruiter)
    recruiter_client.post(
        reverse("candidates:edit", kwargs={"pk": candidate.pk}),
        {
            "first_name": candidate.first_name,
            "last_name": candidate.last_name,
            "phone": candidate.phone,
            "email": candidate.email,
            "owner": recruiter.pk,
        },
    )
    assert not candidate.timeline.filter(kind="updated").exists()


def test_the_add_form_has_the_expected_labels(recruiter_client):
    html = recruiter_client.get(reverse("candidates:create")).content.decode()
    for field, label in [
        ("first_name", "First name"),
        ("last_name", "Last name"),
        ("phone", "Phone"),
        ("email", "Email"),
        ("job", "Job"),
    ]:
        assert f'<label for="id_{field}">{label}</label>' in html


def test_the_board_link_preselects_the_job(recruiter_client):
    job = JobFactory(title="Data Engineer")
    html = recruiter_client.get(reverse("candidates:create"), {"job": job.pk}).content.decode()
    assert f'<option value="{job.pk}" selected>Data Engineer</option>' in html


def test_the_jobs_list_shows_counts_per_job_and_stage(recruiter_client):
    busy = JobFactory(title="Busy role")
    for _ in range(3):
        ApplicationFactory(job=busy)
    interview = busy.stages.get(name="Interview")
    ApplicationFactory(job=busy, stage=interview)
    JobFactory(title="Quiet role")
    JobFactory(title="Filled role", status=Job.Status.CLOSED)

    response = recruiter_client.get(reverse("candidates:job_list"))
    jobs = {job.title: job for job in response.context["page"]}
    assert set(jobs) == {"Busy role", "Quiet role"}  # open jobs by default
    assert jobs["Busy role"].total == 4
    pipeline = {stage.name: count for stage, count in jobs["Busy role"].pipeline}
    assert pipeline["Applied"] == 3
    assert pipeline["Interview"] == 1
    assert jobs["Quiet role"].total == 0

    closed = recruiter_client.get(reverse("candidates:job_list"), {"status": "closed"})
    assert [job.title for job in closed.context["page"]] == ["Filled role"]


def test_administrators_create_a_job_with_the_default_pipeline(administrator_client):
    response = administrator_client.post(
        reverse("candidates:job_create"),
        {"title": "Data Engineer", "location": "Berlin", "status": "open", "recruiter": ""},
    )
    job = Job.objects.get()
    assert response["Location"] == reverse("candidates:job_board", kwargs={"pk": job.pk})
    assert job.stages.count() == 6


def test_the_job_form_shows_field_errors(administrator_client):
    response = administrator_client.post(reverse("candidates:job_create"), {"status": "open"})
    assert "title" in response.context["form"].errors
    assert "This field is required." in response.content.decode()
    assert not Job.objects.exists()


def test_closing_a_job_through_the_edit_form(administrator_client):
    job = JobFactory(title="Data Engineer")
    administrator_client.post(
        reverse("candidates:job_edit", kwargs={"pk": job.pk}),
        {"title": "Data Engineer", "location": "", "status": "closed"},
    )
    job.refresh_from_db()
    assert job.status == Job.Status.CLOSED


def test_the_board_shows_one_column_per_stage_with_counts(recruiter_client):
    application = ApplicationFactory()
    response = recruiter_client.get(
        reverse("candidates:job_board", kwargs={"pk": application.job.pk})
    )
    html = response.content.decode()
    assert [stage.name for stage, _cards in response.context["columns"]] == [
        "Applied",
        "Phone screen",
        "Interview",
        "Offer",
        "Hired",
        "Rejected",
    ]
    assert 'aria-label="1 candidate">1</span>' in html
    assert 'id="kanban-selection-actions"' in html
    assert f'id="application-{application.pk}"' in html
    # The card's ⋯ opens the board's shared menu; without JavaScript it is the card's move page.
    move_url = reverse("candidates:application_move", args=[application.pk])
    name = application.candidate.full_name
    assert f'<a class="kcard-menu" href="{move_url}" aria-label="Actions for {name}">' in html
    assert html.count('id="kcard-menu"') == 1
    assert f'href="{profile_url(application.candidate)}">{application.candidate.full_name}' in html
