"""Bulk sends: one SMS per candidate, per-candidate merge fields, skipped with reasons, scale."""

import pytest
from django.db import connection
from django.utils import timezone

from candidates.models import Candidate
from sms.eligibility import SMS_TURNED_OFF
from sms.models import BulkSend, Message, MessageStatus, OptOut, Thread
from sms.outbox.bulk import plan_bulk, queue_bulk
from sms.outbox.queueing import SendRefused
from tests.factories import CandidateFactory, JobFactory


@pytest.fixture
def crowd(db):
    """Three textable candidates and one of each kind that must be skipped."""
    textable = [
        CandidateFactory(first_name="Ada", phone="+12025550101"),
        CandidateFactory(first_name="Grace", phone="+12025550102"),
        CandidateFactory(first_name="Linus", phone="+12025550103"),
    ]
    opted_out = CandidateFactory(first_name="Olga", phone="+12025550104")
    OptOut.objects.create(
        phone_number="+12025550104", source=OptOut.Source.KEYWORD, changed_at=timezone.now()
    )
    no_phone = CandidateFactory(first_name="Nadia", phone="")
    return textable, [opted_out, no_phone]


def test_preview_summarises_without_writing(active_twilio, crowd, recruiter):
    textable, skipped = crowd
    plan = plan_bulk(textable + skipped, "Hi {{first_name}}", sent_by=recruiter)
    assert plan.summary == "3 will be sent, 2 skipped: 1 opted out, 1 without a valid phone"
    assert [body for _, _, body in plan.sends] == ["Hi Ada", "Hi Grace", "Hi Linus"]
    assert {s["name"].split()[0]: s["reason"] for s in plan.skipped}["Nadia"].endswith(
        "has no phone number."
    )
    assert not Message.objects.exists()
    assert not BulkSend.objects.exists()


def test_queue_bulk_queues_one_message_per_candidate_with_one_commit_callback(
    active_twilio, crowd, recruiter, django_capture_on_commit_callbacks
):
    textable, skipped = crowd
    job = JobFactory(title="Data Engineer")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        bulk = queue_bulk(
            textable + skipped, "Hi {{first_name}}, re {{job_title}}", sent_by=recruiter, job=job
        )
    assert len(callbacks) == 1
    assert bulk.queued_count == 3
    assert [s["reason"].split()[0] for s in bulk.skipped] == [
        skipped[0].full_name.split()[0],
        skipped[1].full_name.split()[0],
    ]
    messages = Message.objects.filter(bulk_send=bulk).select_related("thread").order_by("pk")
    assert [(m.thread.candidate_id, m.body) for m in messages] == [
        (c.pk, f"Hi {c.first_name}, re Data Engineer") for c in textable
    ]
    assert {m.status for m in messages} == {MessageStatus.QUEUED}
    assert Thread.objects.get(candidate=textable[1]).last_message_preview == (
        "Hi Grace, re Data Engineer"
    )


def test_the_bulk_commit_callback_sends_each_message_once(
    active_twilio, crowd, recruiter, fake_provider, django_capture_on_commit_callbacks
):
    textable, _ = crowd
    with django_capture_on_commit_callbacks(execute=True):
        queue_bulk(textable, "Hello", sent_by=recruiter)
    assert [fake_provider.sends_to(c.phone) for c in textable] == [1, 1, 1]
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}


def test_a_candidate_missing_a_merge_value_is_skipped_never_sent_broken(
    active_twilio, recruiter, db
):
    with_job = CandidateFactory(first_name="Ada")
    nameless = CandidateFactory(first_name="", last_name="Solo")
    plan = plan_bulk([with_job, nameless], "Hi {{first_name}}", sent_by=recruiter)
    assert plan.send_count == 1
    assert plan.skipped == [
        {
            "candidate_id": nameless.pk,
            "name": "Solo",
            "reason": "Not sent: {{first_name}} is empty: no first name.",
        }
    ]


def test_one_number_shared_by_two_candidates_is_texted_once(active_twilio, recruiter, db):
    first = CandidateFactory(first_name="Mum", phone="+12025550199")
    second = CandidateFactory(first_name="Son", phone="+12025550199")
    plan = plan_bulk([first, second, first], "Hello", sent_by=recruiter)
    assert plan.send_count == 1
    assert plan.summary == "1 will be sent, 1 skipped: 1 sharing a number"


def test_it_refuses_the_whole_batch_when_sms_is_off_or_the_body_is_bad(crowd, recruiter):
    textable, _ = crowd
    with pytest.raises(SendRefused) as refused:
        queue_bulk(textable, "Hello", sent_by=recruiter)
    assert refused.value.reason == SMS_TURNED_OFF
    assert not BulkSend.objects.exists()


def test_it_refuses_an_unknown_merge_field_for_everyone(active_twilio, crowd, recruiter):
    textable, _ = crowd
    with pytest.raises(SendRefused, match=r"\{\{frist_name\}\}"):
        queue_bulk(textable, "Hi {{frist_name}}", sent_by=recruiter)


def test_it_queues_5000_candidates_with_bounded_queries(
    active_twilio, recruiter, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    Candidate.objects.bulk_create(
        Candidate(first_name=f"C{i}", last_name="Bulk", phone=f"+1202555{i:04d}")
        for i in range(5000)
    )
    candidates = Candidate.objects.all()
    # A constant number of statements, whatever the crowd: SQLite's limit of 999 parameters per
    # statement splits the bulk inserts into batches of ~40 rows, PostgreSQL's does not.
    max_queries = 40 if connection.vendor == "postgresql" else 400
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        django_assert_max_num_queries(max_queries),
    ):
        bulk = queue_bulk(candidates, "Hi {{first_name}}", sent_by=recruiter)
    assert len(callbacks) == 1
    assert bulk.queued_count + len(bulk.skipped) == 5000
    assert Message.objects.filter(bulk_send=bulk).count() == bulk.queued_count
    assert Thread.objects.count() == bulk.queued_count


def test_new_and_existing_threads_both_show_the_bulk_message(
    active_twilio, crowd, recruiter, django_capture_on_commit_callbacks
):
    textable, _ = crowd
    earlier = timezone.now() - timezone.timedelta(days=2)
    old = Thread.objects.create(
        candidate=textable[0],
        phone_number=textable[0].phone,
        last_message_at=earlier,
        last_message_preview="An older reply",
        last_message_direction="inbound",
    )
    with django_capture_on_commit_callbacks(execute=False):
        queue_bulk(textable, "Hi {{first_name}}, one more thing", sent_by=recruiter)
    threads = {t.candidate.first_name: t for t in Thread.objects.select_related("candidate")}
    assert threads["Ada"].pk == old.pk
    for name, thread in threads.items():
        assert thread.last_message_preview == f"Hi {name}, one more thing"
        assert thread.last_message_direction == "outbound"
        assert thread.last_message_author == "Riley"  # the preview reads "Riley: Hi …"
        assert thread.last_message_at > earlier
    assert Message.objects.filter(thread=old).count() == 1


def test_without_a_boards_job_each_candidate_gets_their_most_recent_applications_title(
    active_twilio, recruiter, db
):
    """From the candidate list there is no board: {{job_title}} is each candidate's latest
    application, and someone who never applied is skipped rather than sent a blank."""
    from tests.factories import ApplicationFactory

    ada = CandidateFactory(first_name="Ada", phone="+12025550101")
    grace = CandidateFactory(first_name="Grace", phone="+12025550102")
    linus = CandidateFactory(first_name="Linus", phone="+12025550103")
    ApplicationFactory(candidate=ada, job=JobFactory(title="Old Role"))
    ApplicationFactory(candidate=ada, job=JobFactory(title="New Role"))
    ApplicationFactory(candidate=grace, job=JobFactory(title="Analyst"))

    plan = plan_bulk([ada, grace, linus], "Hi {{first_name}}, re {{job_title}}", sent_by=recruiter)

    assert [(c.first_name, body) for c, _, body in plan.sends] == [
        ("Ada", "Hi Ada, re New Role"),
        ("Grace", "Hi Grace, re Analyst"),
    ]
    assert [s["candidate_id"] for s in plan.skipped] == [linus.pk]


def test_the_summary_counts_each_kind_of_skip(active_twilio, recruiter, db):
    out = []
    for n in (4, 5):
        phone = f"+1202555010{n}"
        out.append(CandidateFactory(phone=phone))
        OptOut.objects.create(
            phone_number=phone, source=OptOut.Source.KEYWORD, changed_at=timezone.now()
        )
    plan = plan_bulk([CandidateFactory(phone="+12025550101"), *out], "Hi", sent_by=recruiter)
    assert plan.summary == "1 will be sent, 2 skipped: 2 opted out"
