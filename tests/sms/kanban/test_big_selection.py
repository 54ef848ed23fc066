"""A bulk send to 1,000+ cards: the selection travels as one field (Django refuses more than
1,000 fields with a 400), and a failed htmx request always shows a readable message."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from candidates import services
from candidates.models import Application, Candidate

CARDS = 1_200
IN_PANEL = {"HX-Request": "true", "HX-Target": "kanban-sms-panel"}


def big_board(recruiter, cards=CARDS):
    job = services.create_job(title="Warehouse Associates", recruiter=recruiter)
    stage = job.stages.order_by("position").first()
    people = Candidate.objects.bulk_create(
        Candidate(first_name=f"Person{n}", last_name="Big", phone=f"+1202555{n:04d}")
        for n in range(cards)
    )
    Application.objects.bulk_create(
        Application(candidate=person, job=job, stage=stage, position=n)
        for n, person in enumerate(people)
    )
    return job, list(job.applications.values_list("pk", flat=True))


def test_one_field_per_card_is_what_django_refuses(recruiter_client, recruiter, active_twilio):
    job, ids = big_board(recruiter)
    url = reverse("sms:kanban_bulk_send", args=[job.pk])
    fields = {"application": ids, "step": "compose"}
    assert recruiter_client.post(url, fields, headers=IN_PANEL).status_code == 400


def test_a_selection_of_1200_cards_is_previewed_as_one_field(
    recruiter_client, recruiter, active_twilio
):
    job, ids = big_board(recruiter)
    url = reverse("sms:kanban_bulk_send", args=[job.pk])
    data = {
        "applications": ",".join(map(str, ids)),
        "kind": "custom",
        "body": "Hi {{first_name}}, a shift opened up.",
        "step": "preview",
    }
    response = recruiter_client.post(url, data, headers=IN_PANEL)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Send {CARDS:,} messages" in html or f"Send {CARDS} messages" in html
    assert html.count('name="applications"') == 1


@pytest.mark.parametrize("value", ["abc", ",,,", "9" * 5000, ",".join(["x"] * 3000), "-1,0,1e3"])
def test_garbage_in_the_selection_is_ignored(recruiter_client, recruiter, active_twilio, value):
    job, _ = big_board(recruiter, cards=2)
    url = reverse("sms:kanban_bulk_send", args=[job.pk])
    response = recruiter_client.post(url, {"applications": value}, headers=IN_PANEL)
    assert response.status_code == 200
    assert "Select the candidates to text on the board first." in response.content.decode()


# --- In Chromium ------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_selecting_a_whole_big_column_opens_the_sidebar_for_everyone(
    page, login, recruiter, active_twilio
):
    job, _ = big_board(recruiter)
    login(recruiter)
    page.goto(f"/jobs/{job.pk}/")
    page.get_by_label("Select everyone in Applied").check()
    with page.expect_response(re.compile(rf"/jobs/{job.pk}/sms/$")) as answer:
        page.get_by_role("button", name=f"Send SMS to {CARDS} candidates").click()
    assert answer.value.status == 200
    posted = answer.value.request.post_data
    assert "&application=" not in posted and posted.count("applications=") == 1
    sidebar = page.get_by_role("dialog", name=f"Send SMS to {CARDS} candidates")
    expect(sidebar).to_be_visible()
    expect(page.locator("#messages .flash-error")).to_have_count(0)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_failed_htmx_request_shows_a_readable_message(page, login, recruiter, active_twilio):
    job, _ = big_board(recruiter, cards=3)
    login(recruiter)
    page.goto(f"/jobs/{job.pk}/")
    bulk_url = re.compile(rf"/jobs/{job.pk}/sms/$")
    page.route(bulk_url, lambda route: route.fulfill(status=400, body="<h1>Bad Request</h1>"))
    page.get_by_label("Select everyone in Applied").check()
    page.get_by_role("button", name="Send SMS to 3 candidates").click()
    alert = page.locator("#messages .flash-error")
    expect(alert).to_contain_text("could not be processed")
    page.unroute(bulk_url)
    page.route(bulk_url, lambda route: route.abort())
    page.get_by_role("button", name="Send SMS to 3 candidates").click()
    expect(page.locator("#messages .flash-error").last).to_contain_text("could not be reached")
