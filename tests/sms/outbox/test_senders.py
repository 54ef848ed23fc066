"""The senders real accounts use: a Twilio Messaging Service (the pool picks the number; From only
when it is in the pool) and a ClickSend alphanumeric sender ID (no US/CA recipients, refused
before any API call, with the reason)."""

import pytest
from django.utils import timezone

from integrations.models import Integration
from sms.models import MessageStatus
from sms.outbox.bulk import plan_bulk
from sms.outbox.queueing import SendRefused, queue_message
from sms.provider_test.services import queue_test_message
from sms.tasks import send_message
from tests.factories import CandidateFactory
from tests.helpers.providers import CANDIDATE_PHONE, TWILIO_FROM

SERVICE = "MG" + "c" * 32


@pytest.fixture
def queued(recruiter, django_capture_on_commit_callbacks):
    def _queue(candidate, body="Hello"):
        with django_capture_on_commit_callbacks(execute=False):
            return queue_message(candidate, body, sent_by=recruiter)

    return _queue


def test_a_messaging_service_send_names_the_service_and_not_a_number_outside_the_pool(
    active_twilio, candidate, queued, fake_provider
):
    Integration.objects.filter(pk=active_twilio.pk).update(messaging_service_sid=SERVICE)

    message = queued(candidate)
    assert send_message(message.pk) == MessageStatus.SENT

    [request] = fake_provider.requests_for("twilio.send")
    assert request.field("MessagingServiceSid") == SERVICE
    assert request.field("From") is None  # the last sender check did not find it in the pool
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT  # Twilio's "accepted"


def test_a_number_in_the_pool_is_passed_as_from(active_twilio, candidate, queued, fake_provider):
    Integration.objects.filter(pk=active_twilio.pk).update(
        messaging_service_sid=SERVICE, sender_in_pool=True
    )

    send_message(queued(candidate).pk)

    [request] = fake_provider.requests_for("twilio.send")
    assert (request.field("MessagingServiceSid"), request.field("From")) == (SERVICE, TWILIO_FROM)


def test_a_messaging_service_alone_is_enough_to_send(
    active_twilio, candidate, queued, fake_provider
):
    Integration.objects.filter(pk=active_twilio.pk).update(
        messaging_service_sid=SERVICE, phone_number=""
    )

    message = queued(candidate)
    assert send_message(message.pk) == MessageStatus.SENT
    [request] = fake_provider.requests_for("twilio.send")
    assert request.field("From") is None


@pytest.fixture
def alpha_clicksend(active_clicksend):
    Integration.objects.filter(pk=active_clicksend.pk).update(
        phone_number="", alpha_sender="Nextal"
    )
    return Integration.objects.get(pk=active_clicksend.pk)


def test_an_alphanumeric_sender_id_is_the_from(alpha_clicksend, candidate, queued, fake_provider):
    message = queued(candidate)  # +61: Australia
    assert send_message(message.pk) == MessageStatus.SENT

    [request] = fake_provider.requests_for("clicksend.send")
    assert request.json["messages"][0]["from"] == "Nextal"
    message.refresh_from_db()
    assert message.from_number == "Nextal"


US_NUMBER = "+12025550143"
REASON = "US and Canadian numbers can only be texted from a dedicated number"


def test_us_and_canadian_numbers_are_refused_with_the_reason_before_queueing(
    alpha_clicksend, queued, fake_provider
):
    for number in (US_NUMBER, "+14165550123"):  # Washington DC, Toronto
        with pytest.raises(SendRefused, match=REASON):
            queued(CandidateFactory(phone=number))
    assert fake_provider.requests == []


def test_the_test_sms_and_bulk_sends_refuse_them_too(alpha_clicksend, recruiter, fake_provider):
    with pytest.raises(SendRefused, match=REASON):
        queue_test_message(US_NUMBER, sent_by=recruiter)

    us, au = CandidateFactory(phone=US_NUMBER), CandidateFactory(phone=CANDIDATE_PHONE)
    plan = plan_bulk([us, au], "Hello", sent_by=recruiter)
    assert [to for _, to, _ in plan.sends] == [CANDIDATE_PHONE]
    assert REASON in plan.skipped[0]["reason"]
    assert "1 the sender cannot text" in plan.summary


def test_a_message_queued_before_the_switch_fails_at_send_time_without_an_api_call(
    active_clicksend, queued, fake_provider
):
    from integrations import active

    # A warm worker holds the integration as it was when the message was queued.
    active.sending_integration(active_clicksend.pk, active_clicksend.updated_at)
    message = queued(CandidateFactory(phone=US_NUMBER))  # from a dedicated number: allowed
    Integration.objects.filter(pk=active_clicksend.pk).update(
        phone_number="", alpha_sender="Nextal", updated_at=timezone.now()
    )

    assert send_message(message.pk) == MessageStatus.FAILED

    message.refresh_from_db()
    assert message.error_message.startswith("Not sent: ClickSend sends from the sender ID")
    assert REASON in message.error_message
    assert message.error_code == "alpha_sender_region"
    assert (message.provider, message.from_number) == ("", "")  # it never went there
    assert fake_provider.requests_for("clicksend.send") == []


def test_the_adapter_itself_refuses_before_any_api_call(fake_provider):
    from integrations.providers.base import OutboundSms, ProviderCredentials, ProviderError
    from integrations.providers.clicksend import ClickSendProvider
    from tests.fakes.provider_server import CLICKSEND_API_KEY, CLICKSEND_USERNAME

    adapter = ClickSendProvider(
        ProviderCredentials(CLICKSEND_USERNAME, CLICKSEND_API_KEY, alpha_sender="Nextal")
    )
    with pytest.raises(ProviderError) as error:
        adapter.send(OutboundSms(to=US_NUMBER, body="Hi", sender="Nextal", reference="1"))
    assert error.value.permanent
    assert fake_provider.requests == []
