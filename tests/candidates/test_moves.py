"""Kanban moves: positions stay 0..n-1 in every column touched, stage changes are on the
timeline with who and from/to, and the move endpoint answers both forms and the board's JSON."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from candidates import services
from candidates.models import Application, TimelineEvent
from tests.candidates.factories import bulk_applications, column
from tests.factories import ApplicationFactory, CandidateFactory, JobFactory


@pytest.fixture
def job(db):
    return JobFactory(title="Data Engineer")


@pytest.fixture
def stages(job):
    return {stage.name: stage for stage in job.stages.all()}


@pytest.fixture
def board(job, stages, recruiter):
    """Applied: A0 A1 A2 A3, Interview: I0 I1."""
    cards = {}
    for name, stage, count in [("A", "Applied", 4), ("I", "Interview", 2)]:
        for i in range(count):
            candidate = CandidateFactory(first_name=f"{name}{i}", last_name="Test")
            cards[f"{name}{i}"] = services.apply(candidate, job, by=recruiter, stage=stages[stage])
    return cards


def names(stage):
    return [name for name, _position in column(stage)]


def assert_dense(stage):
    assert [position for _name, position in column(stage)] == list(range(len(column(stage))))


def test_moving_to_another_stage_renumbers_both_columns(board, stages, recruiter):
    result = services.move_application(
        board["A1"], stage=stages["Interview"], position=1, by=recruiter
    )
    assert names(stages["Applied"]) == ["A0", "A2", "A3"]
    assert names(stages["Interview"]) == ["I0", "A1", "I1"]
    assert_dense(stages["Applied"])
    assert_dense(stages["Interview"])
    assert result.changed_stage
    assert result.application.stage == stages["Interview"]


def test_a_move_between_stages_is_on_the_timeline(board, stages, recruiter):
    services.move_application(board["A1"], stage=stages["Interview"], position=0, by=recruiter)
    event = TimelineEvent.objects.get(kind=TimelineEvent.Kind.MOVED)
    assert event.candidate == board["A1"].candidate
    assert event.actor == recruiter
    assert event.description == "Moved from Applied to Interview by Riley Recruiter"
    assert event.data["from_stage"] == "Applied"
    assert event.data["to_stage"] == "Interview"
    assert event.data["job_title"] == "Data Engineer"


@pytest.mark.parametrize(
    "card, position, expected",
    [
        ("A3", 0, ["A3", "A0", "A1", "A2"]),
        ("A0", 3, ["A1", "A2", "A3", "A0"]),
        ("A0", None, ["A1", "A2", "A3", "A0"]),
        ("A2", 1, ["A0", "A2", "A1", "A3"]),
        ("A1", 99, ["A0", "A2", "A3", "A1"]),
        ("A1", -5, ["A1", "A0", "A2", "A3"]),
    ],
)
def test_moving_within_a_column_reorders_it(board, stages, recruiter, card, position, expected):
    result = services.move_application(
        board[card], stage=stages["Applied"], position=position, by=recruiter
    )
    assert names(stages["Applied"]) == expected
    assert_dense(stages["Applied"])
    assert not result.changed_stage
    # Reordering inside a column is board housekeeping, not candidate history.
    assert result.event is None
    assert not TimelineEvent.objects.filter(kind=TimelineEvent.Kind.MOVED).exists()


def test_moves_to_the_bottom_by_default(board, stages, recruiter):
    services.move_application(board["I0"], stage=stages["Applied"], position=None, by=recruiter)
    assert names(stages["Applied"]) == ["A0", "A1", "A2", "A3", "I0"]
    assert names(stages["Interview"]) == ["I1"]


def test_it_repairs_gaps_and_ties_left_by_older_data(job, stages, recruiter):
    cards = bulk_applications(job, 12)  # two per stage
    applied = stages["Applied"]
    Application.objects.filter(stage=applied).update(position=7)  # ties
    services.move_application(cards[6], stage=applied, position=0, by=recruiter)
    assert_dense(applied)
    assert names(applied)[0] == cards[6].candidate.first_name


def test_it_refuses_a_stage_of_another_job(board, recruiter):
    foreign = JobFactory().stages.first()
    with pytest.raises(ValidationError):
        services.move_application(board["A0"], stage=foreign, position=0, by=recruiter)
    assert board["A0"].candidate.applications.get().stage.name == "Applied"


def test_it_uses_the_current_column_even_from_a_stale_object(board, stages, recruiter):
    stale = Application.objects.get(pk=board["A0"].pk)
    services.move_application(board["A0"], stage=stages["Offer"], position=0, by=recruiter)
    services.move_application(stale, stage=stages["Hired"], position=0, by=recruiter)
    event = TimelineEvent.objects.filter(kind="moved").first()  # newest first
    assert event.description == "Moved from Offer to Hired by Riley Recruiter"
    assert names(stages["Offer"]) == []


# --- The endpoint --------------------------------------------------------------------------------


def move_url(application):
    return reverse("candidates:application_move", kwargs={"pk": application.pk})


def test_the_board_gets_json_with_the_new_counts(recruiter_client, board, stages):
    response = recruiter_client.post(
        move_url(board["A0"]),
        {"stage": stages["Interview"].pk, "position": 1},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    data = response.json()
    assert data["stage"] == stages["Interview"].pk
    assert data["position"] == 1
    assert data["counts"][str(stages["Applied"].pk)] == 3
    assert data["counts"][str(stages["Interview"].pk)] == 3
    assert data["counts"][str(stages["Offer"].pk)] == 0
    assert data["message"] == "A0 Test moved to Interview."
    assert names(stages["Interview"]) == ["A0", "I0", "I1"]


def test_the_json_answer_explains_a_bad_stage(recruiter_client, board):
    foreign = JobFactory().stages.first()
    response = recruiter_client.post(
        move_url(board["A0"]), {"stage": foreign.pk}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert "stage" in response.json()["errors"]


def test_the_move_form_works_without_javascript(recruiter_client, board, stages, job):
    page = recruiter_client.get(move_url(board["A2"]))
    html = page.content.decode()
    assert '<label for="id_stage">Stage</label>' in html
    assert "Position in column" in html
    response = recruiter_client.post(
        move_url(board["A2"]), {"stage": stages["Offer"].pk, "position": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("candidates:job_board", kwargs={"pk": job.pk})
    assert names(stages["Offer"]) == ["A2"]


def test_the_move_form_returns_to_a_safe_next_page(recruiter_client, board, stages):
    profile = reverse("candidates:detail", kwargs={"pk": board["A0"].candidate.pk})
    ok = recruiter_client.post(
        move_url(board["A0"]), {"stage": stages["Offer"].pk, "next": profile}
    )
    assert ok["Location"] == profile
    evil = recruiter_client.post(
        move_url(board["A0"]), {"stage": stages["Hired"].pk, "next": "https://evil.example/"}
    )
    assert evil["Location"].startswith("/jobs/")


def test_htmx_gets_the_move_dialog(recruiter_client, board):
    response = recruiter_client.get(move_url(board["A0"]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'role="dialog"' in html
    assert "<html" not in html
    assert "Move A0 Test" in html


def test_a_move_is_seen_after_a_reload(recruiter_client, board, stages, job):
    recruiter_client.post(
        move_url(board["I1"]),
        {"stage": stages["Applied"].pk, "position": 1},
        HTTP_ACCEPT="application/json",
    )
    html = recruiter_client.get(reverse("candidates:job_board", kwargs={"pk": job.pk}))
    columns = {
        stage.name: [card.candidate.first_name for card in cards]
        for stage, cards in html.context["columns"]
    }
    assert columns["Applied"] == ["I1", "A0", "A1", "A2", "A3"]
    assert columns["Interview"] == ["I0"]


def test_recruiters_need_change_permission_to_move(outsider_client, board, stages):
    response = outsider_client.post(move_url(board["A0"]), {"stage": stages["Offer"].pk})
    assert response.status_code == 403
    assert names(stages["Offer"]) == []


def test_an_application_factory_card_can_be_moved(recruiter):
    application = ApplicationFactory(position=40)
    offer = application.job.stages.get(name="Offer")
    services.move_application(application, stage=offer, position=None, by=recruiter)
    application.refresh_from_db()
    assert (application.stage, application.position) == (offer, 0)


def test_a_repeated_move_changes_nothing(board, stages, recruiter):
    services.move_application(board["A1"], stage=stages["Interview"], position=0, by=recruiter)
    before = Application.objects.get(pk=board["A1"].pk).updated_at
    # The browser may send the same move twice (double drop, retry): the second is a no-op.
    result = services.move_application(
        board["A1"], stage=stages["Interview"], position=0, by=recruiter
    )
    assert result.event is None
    assert Application.objects.get(pk=board["A1"].pk).updated_at == before
    assert TimelineEvent.objects.filter(kind="moved").count() == 1
    assert names(stages["Interview"]) == ["A1", "I0", "I1"]
