"""Delivery statuses applied to messages: the branches where a wrong answer moves a status
backwards or touches the wrong message."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from integrations.providers.base import StatusEvent
from sms.inbound import statuses
from sms.inbound.statuses import record_status
from sms.models import Direction, Message, MessageStatus, OptOut, Thread
from tests.factories import CandidateFactory


def outbound(status, *, provider="twilio", provider_message_id=None):
    candidate = CandidateFactory()
    thread, _ = Thread.objects.get_or_create(candidate=candidate, phone_number=candidate.phone)
    return Message.objects.create(
        thread=thread,
        direction=Direction.OUTBOUND,
        status=status,
        body="Hello",
        to_number=candidate.phone,
        provider=provider,
        provider_message_id=provider_message_id,
    )


def event(status, provider_message_id="", *, reference="", error_code=""):
    return StatusEvent(
        provider_message_id=provider_message_id,
        status=status,
        error_code=error_code,
        error_message="",
        occurred_at=None,
        raw={"status": status},
        reference=reference,
    )


@pytest.mark.parametrize(
    ("final", "late"),
    [
        (MessageStatus.DELIVERED, MessageStatus.FAILED),
        (MessageStatus.FAILED, MessageStatus.DELIVERED),
        (MessageStatus.DELIVERED, MessageStatus.UNDELIVERED),
        (MessageStatus.UNDELIVERED, MessageStatus.DELIVERED),
        (MessageStatus.CANCELED, MessageStatus.DELIVERED),
    ],
)
def test_a_final_status_is_never_replaced_by_another_final_one(db, final, late):
    message = outbound(final, provider_message_id="SM" + "1" * 32)

    assert record_status("twilio", event(late, message.provider_message_id)) is False

    message.refresh_from_db()
    assert message.status == final
    assert message.raw == {}  # the late event was not recorded either


def test_a_status_moves_forward_and_a_late_lower_one_is_ignored(db):
    message = outbound(MessageStatus.SENT, provider_message_id="SM" + "2" * 32)
    assert record_status("twilio", event(MessageStatus.DELIVERED, message.provider_message_id))
    assert not record_status("twilio", event(MessageStatus.SENT, message.provider_message_id))
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert message.delivered_at is not None


def test_our_reference_matches_a_message_whose_send_has_not_recorded_its_id_yet(db):
    message = outbound(MessageStatus.SENDING, provider="")
    sid = "SM" + "3" * 32

    assert record_status("twilio", event(MessageStatus.SENT, sid, reference=str(message.pk)))

    message.refresh_from_db()
    assert (message.status, message.provider, message.provider_message_id) == (
        MessageStatus.SENT,
        "twilio",
        sid,
    )


def test_our_reference_does_not_match_a_message_that_carries_another_id(db):
    message = outbound(MessageStatus.SENT, provider_message_id="SM" + "4" * 32)

    other_sid = "SM" + "5" * 32
    assert not record_status(
        "twilio", event(MessageStatus.DELIVERED, other_sid, reference=str(message.pk))
    )
    message.refresh_from_db()
    assert (message.status, message.provider_message_id) == (MessageStatus.SENT, "SM" + "4" * 32)


def test_our_reference_does_not_match_a_message_of_another_provider(db):
    message = outbound(MessageStatus.SENDING, provider="clicksend")

    assert not record_status(
        "twilio", event(MessageStatus.DELIVERED, "SM" + "6" * 32, reference=str(message.pk))
    )
    message.refresh_from_db()
    assert (message.status, message.provider_message_id) == (MessageStatus.SENDING, None)


def test_our_reference_never_matches_an_inbound_message(db):
    candidate = CandidateFactory()
    thread = Thread.objects.create(candidate=candidate, phone_number=candidate.phone)
    inbound = Message.objects.create(
        thread=thread, direction=Direction.INBOUND, status=MessageStatus.RECEIVED, body="Hi"
    )

    assert not record_status(
        "twilio", event(MessageStatus.DELIVERED, "SM" + "7" * 32, reference=str(inbound.pk))
    )
    inbound.refresh_from_db()
    assert (inbound.status, inbound.provider_message_id) == (MessageStatus.RECEIVED, None)
    assert inbound.receipt_at is None  # not even noted as receiving a receipt


def test_a_provider_id_of_another_provider_is_another_message(db):
    """Twilio and ClickSend ids live in one column: the same string from the other provider is
    not our message."""
    theirs = outbound(MessageStatus.SENT, provider="clicksend", provider_message_id="SAME-ID")

    assert not record_status("twilio", event(MessageStatus.DELIVERED, "SAME-ID"))

    theirs.refresh_from_db()
    assert (theirs.status, theirs.receipt_at) == (MessageStatus.SENT, None)


def test_our_reference_matches_a_message_with_an_empty_provider_id(db):
    message = outbound(MessageStatus.SENDING, provider="", provider_message_id="")
    assert record_status(
        "twilio", event(MessageStatus.SENT, "SM" + "8" * 32, reference=str(message.pk))
    )
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


@pytest.mark.parametrize("reference", ["9" * 19, "1" * 30, "١٢", "12a", " "])
def test_a_reference_that_cannot_be_one_of_our_ids_matches_nothing(db, reference, caplog):
    message = outbound(MessageStatus.SENDING, provider="")
    with caplog.at_level("INFO", logger="sms.inbound.statuses"):
        assert not record_status("twilio", event(MessageStatus.DELIVERED, reference=reference))
    assert "Ignoring a twilio status for an unknown message" in caplog.messages
    message.refresh_from_db()
    assert message.status == MessageStatus.SENDING


@pytest.mark.parametrize("status", [MessageStatus.QUEUED, MessageStatus.SENDING, "received"])
def test_a_status_providers_never_report_changes_nothing(db, status):
    message = outbound(MessageStatus.QUEUED, provider_message_id="SM" + "9" * 32)
    assert not record_status("twilio", event(status, "SM" + "9" * 32))
    message.refresh_from_db()
    assert (message.status, message.receipt_at) == (MessageStatus.QUEUED, None)


def test_a_failure_keeps_its_code_cut_to_the_column_and_says_what_the_carrier_said(db):
    message = outbound(MessageStatus.SENT, provider_message_id="SM" + "a" * 32)
    assert record_status(
        "twilio", event(MessageStatus.FAILED, "SM" + "a" * 32, error_code="7" * 60)
    )
    message.refresh_from_db()
    assert message.error_code == "7" * 40
    assert message.error_message == f"The carrier reported error {'7' * 40}."


def test_our_reference_matches_that_message_and_no_other(db):
    first = outbound(MessageStatus.SENDING, provider="")
    second = outbound(MessageStatus.SENDING, provider="")
    assert record_status("twilio", event(MessageStatus.SENT, reference=str(second.pk)))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (MessageStatus.SENDING, MessageStatus.SENT)


def test_a_provider_id_is_compared_as_it_was_stored_cut_to_the_column(db):
    """Ids are stored cut to the column's 64 characters; an overlong one in a callback is cut
    the same way before it is looked up."""
    stored = "SM" + "c" * 62
    message = outbound(MessageStatus.SENT, provider_message_id=stored)
    assert record_status("twilio", event(MessageStatus.DELIVERED, stored + "overlong"))
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED


def test_a_carriers_long_explanation_is_cut_to_the_column(db):
    message = outbound(MessageStatus.SENT, provider_message_id="SM" + "d" * 32)
    failure = replace(
        event(MessageStatus.FAILED, "SM" + "d" * 32, error_code="30005"),
        error_message="Unknown handset. " * 50,
    )
    assert record_status("twilio", failure)
    message.refresh_from_db()
    assert message.error_message == ("Unknown handset. " * 50)[:500]


def test_a_failure_with_neither_code_nor_words_says_not_delivered(db):
    message = outbound(MessageStatus.SENT, provider_message_id="SM" + "e" * 32)
    assert record_status("twilio", event(MessageStatus.UNDELIVERED, "SM" + "e" * 32))
    message.refresh_from_db()
    assert (message.error_code, message.error_message) == ("", "Not delivered.")


def test_every_receipt_moves_the_last_receipt_time_forward_only(db):
    from datetime import UTC, datetime, timedelta

    sid = "SM" + "f" * 32
    message = outbound(MessageStatus.DELIVERED, provider_message_id=sid)
    first = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)

    # A late "sent" changes no status, but it is a receipt: the card's health sees it.
    assert not record_status("twilio", event(MessageStatus.SENT, sid), received_at=first)
    message.refresh_from_db()
    assert (message.status, message.receipt_at) == (MessageStatus.DELIVERED, first)

    later = first + timedelta(minutes=5)
    assert not record_status("twilio", event(MessageStatus.DELIVERED, sid), received_at=later)
    message.refresh_from_db()
    assert message.receipt_at == later

    assert not record_status("twilio", event(MessageStatus.SENT, sid), received_at=first)
    message.refresh_from_db()
    assert message.receipt_at == later  # an older one arriving late does not go back


def test_the_id_is_filled_in_only_on_the_message_the_status_moved(db):
    matched = outbound(MessageStatus.SENDING, provider="")
    bystander = outbound(MessageStatus.SENDING, provider="")
    sid = "SM" + "4" * 32
    assert record_status("twilio", event(MessageStatus.SENT, sid, reference=str(matched.pk)))
    matched.refresh_from_db()
    bystander.refresh_from_db()
    assert matched.provider_message_id == sid
    assert (bystander.provider, bystander.provider_message_id) == ("", None)


def test_a_status_that_changes_nothing_fills_in_no_id(db):
    message = outbound(MessageStatus.DELIVERED, provider="")
    late = event(MessageStatus.SENT, "SM" + "5" * 32, reference=str(message.pk))
    assert not record_status("twilio", late)
    message.refresh_from_db()
    assert (message.provider, message.provider_message_id) == ("", None)


def test_a_status_without_an_id_leaves_the_id_to_the_sender(db):
    message = outbound(MessageStatus.SENDING, provider="")
    assert record_status("clicksend", event(MessageStatus.SENT, "", reference=str(message.pk)))
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert (message.provider, message.provider_message_id) == ("", None)


def test_a_receipt_that_changes_nothing_notes_its_time_on_its_own_message_only(db):
    sid = "SM" + "6" * 32
    message = outbound(MessageStatus.DELIVERED, provider_message_id=sid)
    bystander = outbound(MessageStatus.DELIVERED, provider_message_id="SM" + "7" * 32)
    at = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert not record_status("twilio", event(MessageStatus.SENT, sid), received_at=at)
    message.refresh_from_db()
    bystander.refresh_from_db()
    assert (message.receipt_at, bystander.receipt_at) == (at, None)


def test_an_id_filled_in_from_a_status_is_cut_to_the_column(db):
    message = outbound(MessageStatus.SENDING, provider="")
    long_id = "SM" + "8" * 70
    assert record_status("twilio", event(MessageStatus.SENT, long_id, reference=str(message.pk)))
    message.refresh_from_db()
    assert (message.provider, message.provider_message_id) == ("twilio", long_id[:64])


def test_an_id_another_message_took_meanwhile_keeps_the_status_and_leaves_the_id(
    db, caplog, monkeypatch
):
    """The race test_concurrency_postgres.py runs for real, here on SQLite: another row gets
    the id between the lookup and the fill-in."""
    sid = "SM" + "9" * 32
    message = outbound(MessageStatus.SENDING, provider="")
    found = statuses.message_for_status
    took_it = []

    def lookup_then_another_takes_the_id(provider, status_event):
        matched = found(provider, status_event)
        took_it.append(outbound(MessageStatus.SENT, provider_message_id=sid))
        return matched

    monkeypatch.setattr(statuses, "message_for_status", lookup_then_another_takes_the_id)
    with caplog.at_level("WARNING", logger="sms.inbound.statuses"):
        assert record_status("twilio", event(MessageStatus.SENT, sid, reference=str(message.pk)))
    message.refresh_from_db()
    assert (message.status, message.provider_message_id) == (MessageStatus.SENT, None)
    assert Message.objects.get(provider_message_id=sid) == took_it[0]
    assert f"Status for SMS #{message.pk} names another message's id" in caplog.messages


def test_a_status_that_moves_a_message_makes_its_thread_look_again(db):
    sid = "SM" + "a" * 32
    message = outbound(MessageStatus.SENT, provider_message_id=sid)
    old = datetime(2026, 1, 1, tzinfo=UTC)
    Thread.objects.filter(pk=message.thread_id).update(changed_at=old)
    assert not record_status("twilio", event(MessageStatus.SENT, sid))
    assert Thread.objects.get(pk=message.thread_id).changed_at == old  # nothing moved
    assert record_status("twilio", event(MessageStatus.DELIVERED, sid))
    assert Thread.objects.get(pk=message.thread_id).changed_at > old


def test_a_providers_opt_out_code_records_the_opt_out_naming_the_provider_and_code(db):
    sid = "SM" + "b" * 32
    message = outbound(MessageStatus.SENT, provider_message_id=sid)
    assert record_status("twilio", event(MessageStatus.FAILED, sid, error_code="21610"))
    opt_out = OptOut.objects.get(phone_number=message.to_number)
    assert (opt_out.opted_out, opt_out.source) == (True, OptOut.Source.PROVIDER)
    assert (opt_out.provider, opt_out.detail) == ("twilio", "Twilio error 21610")


def test_an_opt_out_code_on_a_status_that_changes_nothing_records_nothing(db):
    sid = "SM" + "c" * 32
    message = outbound(MessageStatus.DELIVERED, provider_message_id=sid)
    assert not record_status("twilio", event(MessageStatus.FAILED, sid, error_code="21610"))
    assert not OptOut.objects.filter(phone_number=message.to_number).exists()
