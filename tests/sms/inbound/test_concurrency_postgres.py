"""The same inbound message delivered concurrently (provider retries, a fallback URL) is stored
once. Real concurrency needs PostgreSQL: each thread has its own connection and transaction."""

import uuid
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from twilio.request_validator import RequestValidator

from integrations.providers.base import InboundSms
from sms.inbound.ingest import record_inbound
from sms.models import Message, Thread
from tests.factories import CandidateFactory
from tests.fakes.fixtures import TWILIO_SID, TWILIO_TOKEN
from tests.helpers.concurrency import WORKERS, run_at_once
from tests.helpers.providers import CANDIDATE_PHONE, TWILIO_FROM, configure

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.mark.parametrize("known_sender", [True, False], ids=["candidate", "unknown-sender"])
def test_concurrent_duplicates_create_one_message(known_sender):
    if known_sender:
        CandidateFactory(phone=CANDIDATE_PHONE)
    inbound = InboundSms(
        provider_message_id="SM" + uuid.uuid4().hex,
        from_number=CANDIDATE_PHONE,
        to_number=TWILIO_FROM,
        body="Yes please",
        received_at=None,
        opt_out_type=None,
        raw={},
    )
    results = run_at_once(lambda: record_inbound("twilio", inbound))
    assert sorted(created for _, created in results) == [False] * (WORKERS - 1) + [True]
    assert len({message.pk for message, _ in results}) == 1
    assert Message.objects.count() == 1
    assert Thread.objects.count() == 1
    assert Thread.objects.get().unread_count == 1


def test_concurrent_duplicate_webhooks_all_answer_200_and_store_once(fake_provider):
    configure("twilio")
    CandidateFactory(phone=CANDIDATE_PHONE)
    path = reverse("sms:twilio_inbound")
    fields = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": TWILIO_SID,
        "From": CANDIDATE_PHONE,
        "To": TWILIO_FROM,
        "Body": "Count me in",
    }
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(
        settings.PUBLIC_BASE_URL + path, fields
    )

    def post():
        return (
            Client()
            .post(
                path,
                data=urlencode(fields),
                content_type="application/x-www-form-urlencoded",
                headers={"X-Twilio-Signature": signature},
            )
            .status_code
        )

    assert run_at_once(post) == [200] * WORKERS
    assert Message.objects.count() == 1
