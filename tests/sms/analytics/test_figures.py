"""SMS Analytics figures: per day, by recruiter, template, job and provider; replies counted for
the message they answer and opt-outs for the last message sent to the number; in the current
time zone; test messages left out; a fixed number of queries."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from candidates.models import Job
from integrations.providers.base import InboundSms
from sms.analytics.figures import sms_report
from sms.inbound.ingest import record_inbound
from sms.models import Message, OptOut, SmsTemplate
from tests.factories import CandidateFactory, UserFactory
from tests.helpers.messages import add_message

TZ = ZoneInfo("America/Toronto")
DAY = dt.date(2026, 3, 10)


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def outbound(candidate, when, status="delivered", **fields):
    fields.setdefault("provider", "twilio")
    if status in ("sent", "delivered", "undelivered"):
        fields.setdefault("sent_at", when)
    message = add_message(candidate, status, **fields)
    Message.objects.filter(pk=message.pk).update(created_at=when)
    return message


def reply(candidate, when, body="Yes"):
    message, _ = record_inbound(
        "twilio",
        InboundSms(
            provider_message_id=f"SM{Message.objects.count():032d}",
            from_number=candidate.phone,
            to_number="+15005550006",
            body=body,
            received_at=None,
            opt_out_type=None,
            raw={},
        ),
    )
    Message.objects.filter(pk=message.pk).update(created_at=when)
    return message


@pytest.fixture
def people(db):
    ada = UserFactory(first_name="Ada", last_name="Recruiter")
    bob = UserFactory(first_name="Bob", last_name="Recruiter")
    job = Job.objects.create(title="Nurse")
    template = SmsTemplate.objects.create(name="Interview invite", body="Hi")
    return ada, bob, job, template


def test_per_day_counts_and_rates(people):
    ada, bob, job, template = people
    alice = CandidateFactory(phone="+61411111111")
    cara = CandidateFactory(phone="+61411111113")
    outbound(alice, at(DAY, 9), sent_by=ada, job=job, template=template)
    outbound(cara, at(DAY, 10), status="sent", sent_by=bob)
    outbound(cara, at(DAY, 11), status="failed", sent_by=bob, provider="clicksend")
    outbound(cara, at(DAY, 12), status="unknown", sent_by=bob)
    outbound(alice, at(DAY, 13), is_test=True)  # "Send test SMS": not counted
    reply(alice, at(DAY, 14))
    outbound(alice, at(DAY + dt.timedelta(days=1), 9), sent_by=ada)

    report = sms_report(DAY, DAY + dt.timedelta(days=1), TZ)

    first, second = report.days
    assert (first.key, first.sent, first.delivered, first.failed, first.unknown, first.replies) == (
        DAY,
        2,
        1,
        1,
        1,
        1,
    )
    assert (first.delivery_percent, first.reply_percent) == ("50.0", "50.0")
    assert (second.sent, second.delivered) == (1, 1)
    assert (report.total.sent, report.total.replies) == (3, 1)


def test_days_follow_the_time_zone(people):
    candidate = CandidateFactory()
    # 23:30 in Toronto on the 10th is the 11th in UTC.
    outbound(candidate, at(DAY, 23).replace(minute=30))

    report = sms_report(DAY, DAY + dt.timedelta(days=1), TZ)

    assert [row.sent for row in report.days] == [1, 0]
    utc = sms_report(DAY, DAY + dt.timedelta(days=1), dt.UTC)
    assert [row.sent for row in utc.days] == [0, 1]


def test_replies_count_for_the_recruiter_template_and_job_of_the_message_they_answer(people):
    ada, bob, job, template = people
    alice = CandidateFactory(phone="+61411111111")
    first = outbound(alice, at(DAY, 9), sent_by=bob)
    answered = outbound(alice, at(DAY, 10), sent_by=ada, job=job, template=template)

    message = reply(alice, at(DAY, 11))

    assert message.in_reply_to_id == answered.pk != first.pk
    report = sms_report(DAY, DAY, TZ)
    by_recruiter = {row.label: (row.sent, row.replies) for row in report.breakdowns["recruiter"]}
    assert by_recruiter == {"Ada Recruiter": (1, 1), "Bob Recruiter": (1, 0)}
    by_template = {row.label: row.replies for row in report.breakdowns["template"]}
    assert by_template == {"Interview invite": 1, "No template": 0}
    by_job = {row.label: row.replies for row in report.breakdowns["job"]}
    assert by_job == {"Nurse": 1, "No job": 0}
    by_provider = {row.label: (row.sent, row.replies) for row in report.breakdowns["provider"]}
    assert by_provider == {"Twilio": (2, 1)}


def test_a_reply_from_an_unknown_number_counts_without_a_recruiter(people):
    stranger = CandidateFactory.build(phone="+61499999999")

    reply(stranger, at(DAY, 9))

    report = sms_report(DAY, DAY, TZ)
    assert report.total.replies == 1
    [row] = report.breakdowns["recruiter"]
    assert (row.label, row.replies, row.reply_rate) == ("No recruiter (system)", 1, None)


def test_opt_outs_count_per_day_and_for_the_last_message_sent_before(people):
    ada, bob, job, template = people
    alice = CandidateFactory(phone="+61411111111")
    outbound(alice, at(DAY, 9), sent_by=bob)
    outbound(alice, at(DAY, 10), sent_by=ada, template=template, job=job)
    OptOut.objects.create(
        phone_number=alice.phone, source="keyword", provider="twilio", changed_at=at(DAY, 11)
    )
    outbound(alice, at(DAY, 12), status="failed", sent_by=bob)  # after: not the cause
    # Opted back in: no longer an opt-out.
    OptOut.objects.create(
        phone_number="+61411111119", opted_out=False, source="keyword", changed_at=at(DAY, 11)
    )

    report = sms_report(DAY, DAY, TZ)

    assert report.days[0].opt_outs == 1
    assert {r.label: r.opt_outs for r in report.breakdowns["recruiter"]} == {
        "Ada Recruiter": 1,
        "Bob Recruiter": 0,
    }
    assert {r.label: r.opt_outs for r in report.breakdowns["template"]}["Interview invite"] == 1
    assert {r.label: r.opt_outs for r in report.breakdowns["provider"]}["Twilio"] == 1


def test_every_day_of_the_range_is_listed_even_without_messages(db):
    report = sms_report(DAY, DAY + dt.timedelta(days=6), TZ)
    assert [row.key for row in report.days] == [DAY + dt.timedelta(days=i) for i in range(7)]
    assert report.total.sent == 0 and report.total.delivery_rate is None


def test_a_fixed_number_of_queries_whatever_the_data(people, django_assert_num_queries):
    ada, bob, job, template = people
    for i in range(30):
        candidate = CandidateFactory(phone=f"+614111120{i:02d}")
        outbound(candidate, at(DAY, 9), sent_by=ada if i % 2 else bob, job=job, template=template)
        reply(candidate, at(DAY, 10))
        OptOut.objects.create(
            phone_number=candidate.phone, source="keyword", changed_at=at(DAY, 11)
        )

    # PostgreSQL: one pass for the days and the four dimensions (SQLite: one query each), then
    # opt-outs, their messages, and the names of recruiters, templates and jobs. PostgreSQL also
    # turns JIT off for the report's transaction (a savepoint inside the test's, SET, release).
    grouped = 1 + 3 if connection.vendor == "postgresql" else 5
    with django_assert_num_queries(grouped + 5):
        sms_report(DAY, DAY, TZ)


def test_the_current_time_zone_is_the_default(people):
    candidate = CandidateFactory()
    outbound(candidate, at(DAY, 23).replace(minute=30))
    with timezone.override(TZ):
        assert sms_report(DAY, DAY).total.sent == 1
