"""Twilio webhooks for a Messaging Service are matched by MessagingServiceSid as well as by
AccountSid + number (matching only one of them loses webhooks): a reply to a pool number lands in
the candidate's thread, and a signed webhook of another account is refused."""

import pytest
from django.urls import reverse

from integrations.models import Integration
from sms.models import Direction, Message, MessageStatus
from tests.factories import CandidateFactory
from tests.fakes.provider_server import TWILIO_SID
from tests.fakes.twilio_webhooks import inbound_params
from tests.helpers.providers import CANDIDATE_PHONE, TWILIO_FROM
from tests.sms.inbound.test_webhooks_twilio import signed_post

SERVICE = "MG" + "d" * 32
POOL_NUMBER = "+15005550077"  # in the service's pool, not the integration's Phone Number


@pytest.fixture
def twilio_with_service(active_twilio):
    Integration.objects.filter(pk=active_twilio.pk).update(messaging_service_sid=SERVICE)
    return active_twilio


def post_inbound(client, **fields):
    params = inbound_params(
        "SM" + "5" * 32, sender=CANDIDATE_PHONE, to=fields.pop("to", TWILIO_FROM), body="Yes!"
    )
    params.update(fields)
    return signed_post(client, reverse("sms:twilio_inbound"), params)


def test_a_reply_to_a_pool_number_is_matched_by_the_messaging_service(client, twilio_with_service):
    candidate = CandidateFactory(phone=CANDIDATE_PHONE)

    response = post_inbound(client, to=POOL_NUMBER, MessagingServiceSid=SERVICE)

    assert response.status_code == 200
    message = Message.objects.get(direction=Direction.INBOUND)
    assert message.thread.candidate == candidate
    assert (message.to_number, message.body) == (POOL_NUMBER, "Yes!")


def test_a_reply_to_the_number_is_matched_by_account_and_number_without_a_service_sid(
    client, twilio_with_service
):
    response = post_inbound(client)  # a number's own webhook carries no MessagingServiceSid

    assert response.status_code == 200
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 1


def test_a_reply_through_another_service_of_the_account_to_our_number_is_kept(
    client, twilio_with_service
):
    response = post_inbound(client, MessagingServiceSid="MG" + "e" * 32)

    assert response.status_code == 200
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 1


def test_a_signed_webhook_for_another_account_is_refused(client, twilio_with_service):
    response = post_inbound(client, AccountSid="AC" + "f" * 32)

    assert response.status_code == 403
    assert Message.objects.count() == 0


def test_a_status_callback_for_a_service_send_is_matched_by_the_service(
    client, twilio_with_service, recruiter, django_capture_on_commit_callbacks
):
    from sms.outbox.queueing import queue_message

    with django_capture_on_commit_callbacks(execute=True):
        message = queue_message(CandidateFactory(phone=CANDIDATE_PHONE), "Hi", sent_by=recruiter)
    message.refresh_from_db()
    fields = {
        "MessageSid": message.provider_message_id,
        "MessageStatus": "delivered",
        "AccountSid": TWILIO_SID,
        "MessagingServiceSid": SERVICE,
        "From": POOL_NUMBER,
        "To": CANDIDATE_PHONE,
    }
    path = reverse("sms:twilio_status") + f"?message={message.pk}"

    response = signed_post(client, path, fields)

    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert message.receipt_at is not None

    # Our service named by another account's callback is not ours.
    odd = signed_post(client, path, {**fields, "AccountSid": "AC" + "0" * 32})
    assert odd.status_code == 403
