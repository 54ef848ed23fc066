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


def test_a_status_whose_id_another_send_just_recorded_keeps_the_status_not_the_id(caplog):
    """The callback matched by our reference carries a provider id that another transaction is
    recording at the same moment: the unique constraint refuses the backfill, the status is kept,
    and the id is left to the send that owns it."""
    import threading
    import time

    from django.db import connection, transaction

    from integrations.providers.base import StatusEvent
    from sms.inbound.statuses import record_status
    from sms.models import Direction, MessageStatus

    sid = "SM" + uuid.uuid4().hex
    candidate = CandidateFactory(phone=CANDIDATE_PHONE)
    thread = Thread.objects.create(candidate=candidate, phone_number=CANDIDATE_PHONE)
    racing = Message.objects.create(
        thread=thread, direction=Direction.OUTBOUND, status=MessageStatus.SENDING, body="Hi"
    )
    owner_has_the_id = threading.Event()
    release_owner = threading.Event()

    def owner():
        # Another message's send records `sid` and commits only once the callback waits on it.
        try:
            with transaction.atomic():
                Message.objects.create(
                    thread=thread,
                    direction=Direction.OUTBOUND,
                    status=MessageStatus.SENT,
                    body="Other",
                    provider="twilio",
                    provider_message_id=sid,
                )
                owner_has_the_id.set()
                release_owner.wait(timeout=30)
        finally:
            connection.close()

    def release_when_the_callback_waits():
        # The callback's UPDATE waits on the owner's uncommitted unique key: then commit.
        deadline = time.monotonic() + 30
        with connection.cursor() as cursor:
            while time.monotonic() < deadline:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.05)
        connection.close()
        release_owner.set()

    threads = [
        threading.Thread(target=owner),
        threading.Thread(target=release_when_the_callback_waits),
    ]
    threads[0].start()
    assert owner_has_the_id.wait(timeout=10)
    threads[1].start()

    event = StatusEvent(sid, MessageStatus.SENT, "", "", None, {}, reference=str(racing.pk))
    assert record_status("twilio", event) is True
    for thread_ in threads:
        thread_.join(timeout=30)
        assert not thread_.is_alive()

    racing.refresh_from_db()
    assert (racing.status, racing.provider_message_id) == (MessageStatus.SENT, None)
    assert Message.objects.filter(provider_message_id=sid).count() == 1
    assert f"Status for SMS #{racing.pk} names another message's id" in caplog.text
