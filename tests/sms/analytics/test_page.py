"""Administration → SMS Analytics: who may see it, the range form, the tables beside the charts,
the CSV export of the same figures, and a bounded number of queries."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from sms.models import Message, SmsTemplate
from tests.factories import CandidateFactory
from tests.helpers.messages import add_message

URL = reverse("sms:analytics")
CSV_URL = reverse("sms:analytics_csv")


@pytest.fixture
def some_messages(db, recruiter):
    candidate = CandidateFactory()
    template = SmsTemplate.objects.create(name='=HYPERLINK("http://evil")', body="Hi")
    now = timezone.now()
    for status in ("delivered", "delivered", "failed", "sent"):
        add_message(
            candidate,
            status,
            provider="twilio",
            sent_by=recruiter,
            template=template,
            sent_at=now if status != "failed" else None,
        )
    add_message(candidate, direction="inbound", provider="twilio")
    return candidate


def test_only_administrators_see_it_and_the_navigation_links_it(client, administrator, recruiter):
    client.force_login(recruiter)
    assert client.get(URL).status_code == 403
    assert client.get(CSV_URL).status_code == 403
    client.force_login(administrator)
    page = client.get(URL)
    assert page.status_code == 200
    assert f'href="{URL}"' in page.content.decode()


def test_the_tables_hold_the_figures_and_the_charts_read_them(administrator_client, some_messages):
    html = administrator_client.get(URL).content.decode()

    assert 'data-testid="total-sent">3<' in html
    for table in (
        "analytics-days",
        "analytics-recruiter",
        "analytics-template",
        "analytics-job",
        "analytics-provider",
    ):
        assert f'id="{table}"' in html
        assert f'data-chart-table="{table}"' in html
    assert "vendor/chart.js-4.6.1/chart.umd.min.js" in html
    assert "<script>" not in html and " onclick=" not in html and 'style="' not in html
    assert "Riley Recruiter" in html
    assert "66.7%" in html  # 2 delivered of 3 sent


def test_a_range_is_chosen_and_a_bad_one_is_explained(administrator_client, some_messages):
    today = timezone.localdate()
    old = administrator_client.get(URL, {"start": "2020-01-01", "end": "2020-01-31"})
    assert 'data-testid="total-sent">0<' in old.content.decode()
    assert old.context["report"].days[0].key == dt.date(2020, 1, 1)

    backwards = administrator_client.get(URL, {"start": "2026-02-10", "end": "2026-02-01"})
    assert "The end date is before the start date." in backwards.content.decode()
    assert backwards.context["report"].end == today  # the last 30 days meanwhile

    too_long = administrator_client.get(URL, {"start": "2020-01-01", "end": "2026-01-01"})
    assert "Choose at most 366 days." in too_long.content.decode()

    garbage = administrator_client.get(URL, {"start": "yesterday", "end": "x"})
    assert garbage.status_code == 200
    assert "Enter a valid date." in garbage.content.decode()


def test_the_csv_has_the_same_figures_and_no_formulas(administrator_client, some_messages):
    today = timezone.localdate().isoformat()
    response = administrator_client.get(CSV_URL, {"start": today, "end": today})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"nextal-sms-analytics-{today}-to-{today}.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    [day] = [r for r in rows if r["table"] == "day"]
    assert (day["label"], day["sent"], day["delivered"], day["failed"], day["replies"]) == (
        today,
        "3",
        "2",
        "1",
        "1",
    )
    assert day["delivery_rate_percent"] == "66.7"
    [template] = [r for r in rows if r["table"] == "template" and r["sent"] == "3"]
    assert template["label"] == '\'=HYPERLINK("http://evil")'  # never run as a formula
    assert {r["table"] for r in rows} == {
        "day",
        "total",
        "recruiter",
        "template",
        "job",
        "provider",
    }


def test_the_page_takes_a_bounded_number_of_queries(
    administrator_client, some_messages, recruiter, django_assert_max_num_queries
):
    for _ in range(40):
        add_message(CandidateFactory(), "delivered", provider="clicksend", sent_by=recruiter)
    assert Message.objects.count() > 40

    with django_assert_max_num_queries(14):
        administrator_client.get(URL)
