"""queue_test_message: the Integrations page's "Send test SMS" through the real pipeline."""

import pytest

from integrations.models import Integration
from sms.models import Message, MessageStatus, OptOut, Thread
from sms.outbox.queueing import SendRefused
from sms.provider_test.services import TEST_MESSAGE_BODY, queue_test_message
from tests.factories import CandidateFactory
from tests.fakes.fixtures import TWILIO_SID, TWILIO_TOKEN


@pytest.fixture
def active_twilio(db, fake_provider):
    # This module's own active Twilio (tests/sms/conftest.py has the shared one): the settings
    # panel's US number, written on the row, the other provider left as it is.
    Integration.objects.filter(kind="twilio").update(
        is_active=True, phone_number="+12025550143", account_id=TWILIO_SID
    )
    twilio = Integration.objects.get(kind="twilio")
    twilio.secret = TWILIO_TOKEN
    twilio.save()
    return twilio


def test_it_sends_the_test_message_through_the_active_provider(
    active_twilio, fake_provider, django_capture_on_commit_callbacks, administrator
):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_test_message("+61 411 111 111", sent_by=administrator)
    message.refresh_from_db()
    assert message.is_test is True
    assert message.body == TEST_MESSAGE_BODY
    assert message.status == MessageStatus.SENT
    assert message.provider == "twilio"
    assert fake_provider.sends_to("+61411111111") == 1
    # It lives on the Integrations card: no thread, nothing in the inbox.
    assert message.thread is None
    assert not Thread.objects.exists()


def test_it_stays_out_of_a_candidates_conversation_when_the_number_is_known(
    active_twilio, administrator, recruiter_client, django_capture_on_commit_callbacks
):
    candidate = CandidateFactory(phone="+12025550177")
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_test_message("(202) 555-0177", sent_by=administrator)
    assert message.thread is None
    assert not Thread.objects.filter(candidate=candidate).exists()
    inbox = recruiter_client.get("/inbox/").content.decode()
    assert "Nextal test message" not in inbox
    profile = recruiter_client.get(f"/candidates/{candidate.pk}/").content.decode()
    assert "Nextal test message" not in profile


@pytest.mark.parametrize(
    ("number", "reason"),
    [("12", "valid phone number"), ("", "valid phone number")],
)
def test_it_refuses_invalid_numbers(active_twilio, administrator, number, reason):
    with pytest.raises(SendRefused, match=reason):
        queue_test_message(number, sent_by=administrator)
    assert not Message.objects.exists()


def test_it_refuses_when_sms_is_turned_off(db, administrator):
    with pytest.raises(SendRefused, match="SMS is turned off"):
        queue_test_message("+61411111111", sent_by=administrator)
    assert not Message.objects.exists()


def test_it_refuses_opted_out_numbers(active_twilio, administrator):
    from django.utils import timezone

    OptOut.objects.create(phone_number="+61411111111", source="keyword", changed_at=timezone.now())
    with pytest.raises(SendRefused, match="opted out"):
        queue_test_message("+61411111111", sent_by=administrator)
    assert not Message.objects.exists()
