"""Consent on record: the append-only ledger per number, what recruiters may record (never
lifting an opt-out), texting first, the "require consent" policy and the bulk frequency cap."""

import uuid

import pytest
from django.db import DatabaseError, transaction

from integrations.providers.base import InboundSms
from sms.consent import ConsentRefused, record_consent, record_opt_out
from sms.eligibility import Purpose, SendingBlock, sending_check
from sms.inbound.ingest import record_inbound
from sms.models import ConsentEvent, OptOut
from sms.outbox.bulk import plan_bulk
from sms.outbox.queueing import SendRefused, queue_message
from sms.policy import save_policy
from tests.factories import CandidateFactory
from tests.helpers.messages import add_message
from tests.helpers.providers import CANDIDATE_PHONE

pytestmark = pytest.mark.django_db


def text_in(body, sender=CANDIDATE_PHONE):
    record_inbound(
        "clicksend",
        InboundSms(uuid.uuid4().hex, sender, "+61411111112", body, None, None, {}),
    )


def test_a_recorded_entry_cannot_be_changed_even_past_the_orm(candidate, recruiter):
    event = record_consent(candidate, source="verbal", note="Said yes on the call", by=recruiter)
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ConsentEvent.objects.filter(pk=event.pk).update(granted=False, source="opt_out_keyword")
    # Context may still be cleared when a candidate is deleted: the record itself stays.
    candidate.delete()
    event.refresh_from_db()
    assert (event.candidate_id, event.source, event.note) == (
        None,
        "verbal",
        "Said yes on the call",
    )


def test_recording_consent_puts_it_on_record_and_on_the_timeline(candidate, recruiter):
    assert sending_check(candidate).standing is None
    record_consent(candidate, source="written", note="Signed the form", by=recruiter)
    standing = OptOut.objects.get(phone_number=CANDIDATE_PHONE)
    assert (standing.opted_out, standing.consent_source, standing.has_consent) == (
        False,
        "written",
        True,
    )
    entry = candidate.timeline.get(kind="sms_consent")
    assert entry.description == (
        "SMS consent on record: written consent, recorded by a recruiter. Note: “Signed the form”"
    )


def test_staff_cannot_override_an_opt_out(candidate, recruiter):
    text_in("STOP")
    with pytest.raises(ConsentRefused, match="Only a START reply from their phone lifts"):
        record_consent(candidate, source="verbal", note="Said it was fine", by=recruiter)
    assert OptOut.objects.get().opted_out
    text_in("START")
    record_consent(candidate, source="verbal", note="", by=recruiter)
    assert OptOut.objects.get().consent_source == "verbal"


def test_a_recruiter_records_an_opt_out_given_by_phone(candidate, recruiter, active_twilio):
    record_opt_out(candidate, note="Called to say no more texts", by=recruiter)
    check = sending_check(candidate)
    assert check.block.kind == SendingBlock.OPTED_OUT
    assert "(asked a recruiter: “Called to say no more texts”)" in check.block.reason
    event = ConsentEvent.objects.get()
    assert (event.source, event.recorded_by, event.granted) == (
        "recorded_opt_out",
        recruiter,
        False,
    )
    with pytest.raises(ConsentRefused, match="already opted out"):
        record_opt_out(candidate, note="", by=recruiter)


def test_texting_first_is_consent_to_replies_but_a_reply_is_not(db):
    text_in("Hi, is the job still open?")
    event = ConsentEvent.objects.get()
    assert (event.source, event.granted, event.detail) == (
        "texted_first",
        True,
        "Hi, is the job still open?",
    )
    text_in("Also, is it remote?")
    assert ConsentEvent.objects.count() == 1  # once
    replied = CandidateFactory(phone="+12025550188")
    add_message(replied, direction="outbound", body="Hi, we saw your profile")
    text_in("Sure, tell me more", sender="+12025550188")
    assert not ConsentEvent.objects.filter(phone_number="+12025550188").exists()


def test_with_consent_required_no_consent_on_record_refuses_single_and_bulk(
    active_twilio, candidate, recruiter
):
    save_policy({"require_consent": True}, by=recruiter)
    with pytest.raises(SendRefused, match="No consent on record for Ada Lovelace"):
        queue_message(candidate, "Hello", sent_by=recruiter)
    consented = CandidateFactory(first_name="Cy", phone="+12025550177")
    record_consent(consented, source="application", note="", by=recruiter)
    plan = plan_bulk([candidate, consented], "Hi {{first_name}}", sent_by=recruiter)
    assert plan.summary == "1 will be sent, 1 skipped: 1 with no consent on record"
    assert [c.first_name for c, _, _ in plan.sends] == ["Cy"]
    # A candidate who texted first has consented to replies.
    texter = CandidateFactory(phone="+12025550166")
    text_in("Hello?", sender="+12025550166")
    assert sending_check(texter).block is None


def test_off_by_default_and_the_answer_still_says_there_is_no_consent(active_twilio, candidate):
    check = sending_check(candidate)
    assert check.block is None and check.standing is None


def test_the_bulk_cap_skips_after_three_in_24_hours_but_not_conversation_replies(
    active_twilio, candidate, recruiter, django_capture_on_commit_callbacks
):
    from sms.outbox.bulk import queue_bulk

    for n in range(3):
        queue_bulk([candidate], f"Bulk {n}", sent_by=recruiter)
    plan = plan_bulk([candidate], "Bulk 4", sent_by=recruiter)
    assert plan.summary == "0 will be sent, 1 skipped: 1 at the frequency cap"
    assert plan.skipped[0]["reason"] == (
        "Ada Lovelace already got 3 bulk or automated texts in the last 24 hours (the limit is 3)."
    )
    assert sending_check(candidate, purpose=Purpose.AUTOMATED).block.kind == SendingBlock.CAPPED
    assert sending_check(candidate, purpose=Purpose.REPLY).block is None
    save_policy({"bulk_cap_per_day": 4}, by=recruiter)
    assert plan_bulk([candidate], "Bulk 4", sent_by=recruiter).send_count == 1


def test_a_skip_lands_on_the_candidates_timeline(active_twilio, candidate, recruiter):
    from sms.outbox.bulk import queue_bulk

    text_in("STOP")
    queue_bulk([candidate], "Hello", sent_by=recruiter)
    skipped = candidate.timeline.get(kind="sms_skipped")
    assert skipped.description.startswith("Not texted in a bulk send: Ada Lovelace opted out")
