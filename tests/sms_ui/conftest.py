"""Fixtures for the SMS UI tests: a configured provider on the fake server, a candidate with a
valid number, and a helper that writes messages the way the pipeline leaves them."""

import pytest
from django.utils import timezone

from sms.models import Message, Thread
from tests.factories import CandidateFactory
from tests.sms.conftest import CANDIDATE_PHONE, configure


@pytest.fixture
def twilio(db, fake_provider):
    return configure("twilio")


@pytest.fixture
def candidate(db):
    return CandidateFactory(first_name="Ada", last_name="Lovelace", phone=CANDIDATE_PHONE)


def add_message(candidate, status="delivered", body="Hello", direction="outbound", **fields):
    """One message in the candidate's thread, and the thread's summary as the services keep it."""
    thread, _ = Thread.objects.get_or_create(
        candidate=candidate, defaults={"phone_number": candidate.phone}
    )
    if direction == "inbound":
        status = "received"
    message = Message.objects.create(
        thread=thread, direction=direction, status=status, body=body, **fields
    )
    Thread.objects.filter(pk=thread.pk).update(
        last_message_at=message.created_at,
        last_message_preview=body[:160],
        last_message_direction=direction,
        changed_at=timezone.now(),
    )
    return message
