"""Delivery statuses applied to messages: the branches where a wrong answer moves a status
backwards or touches the wrong message."""

import pytest

from integrations.providers.base import StatusEvent
from sms.inbound.statuses import record_status
from sms.models import Direction, Message, MessageStatus, Thread
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
