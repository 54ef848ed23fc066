"""Processing a batch of stored replies: what every reply needs is read once for the batch
(`sms.inbound.facts`), each event is applied in its own savepoint (one that fails is kept with
its error, the others proceed), and what the batch read going out of date meanwhile (a
concurrent delivery, a thread opened) costs a second try of that event, never a duplicate."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.providers.base import InboundSms, StatusEvent
from sms.inbound import processing
from sms.inbound.events import store_events
from sms.models import ConsentEvent, Message, MessageStatus, ProviderEvent, Thread
from tests.factories import ApplicationFactory, CandidateFactory, JobFactory, UserFactory
from tests.helpers.providers import TWILIO_FROM, configure


def reply(sid, sender, body="Yes, Tuesday works"):
    return InboundSms(sid, sender, TWILIO_FROM, body, None, None, {"Body": body})


@pytest.fixture
def candidates(db):
    configure("twilio")
    return [CandidateFactory() for _ in range(5)]


def _store(*events):
    store_events("twilio", b"", list(events))


def test_a_full_batch_of_new_conversations_costs_a_bounded_number_of_queries(
    db, django_assert_max_num_queries
):
    configure("twilio")
    people = [CandidateFactory() for _ in range(processing.BATCH_SIZE)]
    _store(*(reply(f"SM{i:032d}", person.phone) for i, person in enumerate(people)))
    # Per reply: its savepoint, the thread (created showing it), the message, the timeline,
    # texted-first consent (ledger entry, consent on record, timeline); per batch: the claim,
    # five lookups, the marking, and the empty claim that ends the drain (each claim in a
    # savepoint here, inside the test's transaction).
    with django_assert_max_num_queries(8 * processing.BATCH_SIZE + 12):
        result = processing.process_pending()
    assert result == processing.Processed(processed=processing.BATCH_SIZE)
    assert Thread.objects.filter(unread_count=1).count() == processing.BATCH_SIZE
    assert Message.objects.filter(direction="inbound").count() == processing.BATCH_SIZE
    assert ConsentEvent.objects.filter(source="texted_first").count() == processing.BATCH_SIZE


def test_a_reply_to_a_conversation_is_recorded_as_one_asked_for_itself(candidates):
    ada = candidates[0]
    recruiter = UserFactory(first_name="Riley")
    ApplicationFactory(candidate=ada, job=JobFactory(recruiter=recruiter))
    thread = Thread.objects.create(candidate=ada, phone_number=ada.phone)
    asked = Message.objects.create(
        thread=thread,
        direction="outbound",
        status=MessageStatus.SENT,
        body="Tuesday?",
        to_number=ada.phone,
        created_at=timezone.now() - timedelta(minutes=5),
    )
    waiting = Message.objects.create(
        thread=thread,
        direction="outbound",
        status=MessageStatus.QUEUED,
        body="Reminder",
        to_number=ada.phone,
        scheduled_for=timezone.now() + timedelta(days=1),
        cancel_if_reply=True,
        created_at=timezone.now() - timedelta(minutes=10),
    )
    _store(reply("SM" + "a" * 32, ada.phone), reply("SM" + "b" * 32, candidates[1].phone))
    assert processing.process_pending() == processing.Processed(processed=2)

    answer = Message.objects.get(provider_message_id="SM" + "a" * 32)
    assert answer.thread == thread and answer.in_reply_to_id == asked.pk
    waiting.refresh_from_db()
    assert waiting.status == MessageStatus.CANCELED
    thread.refresh_from_db()
    assert (thread.last_message_preview, thread.unread_count) == ("Yes, Tuesday works", 1)
    assert thread.assigned_to == recruiter
    # Texted us after we texted them: not texted-first consent; the new sender is.
    assert list(ConsentEvent.objects.values_list("phone_number", flat=True)) == [
        candidates[1].phone
    ]


def test_two_replies_of_one_number_in_a_batch_share_its_thread(candidates):
    ada = candidates[0]
    _store(reply("SM" + "c" * 32, ada.phone, "first"), reply("SM" + "d" * 32, ada.phone, "second"))
    assert processing.process_pending() == processing.Processed(processed=2)
    thread = Thread.objects.get()
    assert (thread.candidate, thread.unread_count, thread.last_message_preview) == (
        ada,
        2,
        "second",
    )
    assert ConsentEvent.objects.filter(phone_number=ada.phone).count() == 1


def test_a_bad_event_in_a_batch_is_kept_with_its_error_and_the_others_proceed(
    candidates, monkeypatch
):
    bad = candidates[2]
    real = processing.record_inbound

    def fails_for_one(provider, inbound, **kwargs):
        message, created = real(provider, inbound, **kwargs)  # thread and message written
        if inbound.from_number == bad.phone:
            raise ValueError("cannot record this one")
        return message, created

    monkeypatch.setattr(processing, "record_inbound", fails_for_one)
    _store(*(reply(f"SM{i:032d}", person.phone) for i, person in enumerate(candidates)))
    assert processing.process_pending() == processing.Processed(processed=4, failed=1)

    failed = ProviderEvent.objects.get(error__startswith="ValueError")
    assert failed.event_id == f"SM{2:032d}" and failed.processed_at is None
    assert failed.attempts == 1
    # Its savepoint rolled back what it wrote; the others are there.
    assert not Thread.objects.filter(candidate=bad).exists()
    assert Message.objects.filter(direction="inbound").count() == 4

    monkeypatch.setattr(processing, "record_inbound", real)
    assert processing.reprocess([failed.pk]) == processing.Processed(processed=1)
    assert Thread.objects.get(candidate=bad).unread_count == 1


def _after_loading(monkeypatch, meanwhile):
    """The batch's lookups, then `meanwhile()`: what another process commits in between."""
    real = processing.load_facts

    def load(events, decode):
        facts = real(events, decode)
        meanwhile()
        return facts

    monkeypatch.setattr(processing, "load_facts", load)


def test_a_reply_stored_meanwhile_by_another_delivery_is_not_stored_twice(
    candidates, monkeypatch, caplog
):
    ada, sid = candidates[0], "SM" + "e" * 32
    thread = Thread.objects.create(candidate=ada, phone_number=ada.phone)

    def other_delivery():
        Message.objects.create(
            thread=thread,
            direction="inbound",
            status=MessageStatus.RECEIVED,
            body="Yes",
            provider="twilio",
            provider_message_id=sid,
            from_number=ada.phone,
        )

    _after_loading(monkeypatch, other_delivery)
    _store(reply(sid, ada.phone))
    assert processing.process_pending() == processing.Processed(processed=1)
    assert Message.objects.filter(provider_message_id=sid).count() == 1
    event = ProviderEvent.objects.get()
    assert f"Webhook event #{event.pk}: applied again without its batch's facts" in caplog.messages


def test_a_thread_opened_meanwhile_gets_the_reply(candidates, monkeypatch):
    ada = candidates[0]
    opened = []
    _after_loading(
        monkeypatch,
        lambda: opened.append(Thread.objects.create(candidate=ada, phone_number=ada.phone)),
    )
    _store(reply("SM" + "f" * 32, ada.phone))
    assert processing.process_pending() == processing.Processed(processed=1)
    assert Thread.objects.get() == opened[0]
    assert Message.objects.get(direction="inbound").thread == opened[0]
    assert Thread.objects.get().unread_count == 1


def test_a_reply_processed_after_a_later_send_answers_the_message_before_it(candidates):
    ada = candidates[0]
    now = timezone.now()
    thread = Thread.objects.create(candidate=ada, phone_number=ada.phone)

    def sent(minutes_ago):
        return Message.objects.create(
            thread=thread,
            direction="outbound",
            status=MessageStatus.SENT,
            body="Tuesday?",
            to_number=ada.phone,
            created_at=now - timedelta(minutes=minutes_ago),
        )

    asked, _later = sent(10), sent(1)
    # The provider says the reply came 5 minutes ago, before the later send.
    early = InboundSms(
        "SM" + "e" * 32, ada.phone, TWILIO_FROM, "Yes", now - timedelta(minutes=5), None, {}
    )
    _store(early)
    assert processing.process_pending() == processing.Processed(processed=1)
    assert Message.objects.get(provider_message_id="SM" + "e" * 32).in_reply_to_id == asked.pk


def test_a_failure_is_logged_with_the_event_and_its_error_is_cut_to_2000(
    candidates, monkeypatch, caplog
):
    def fails(provider, inbound, **kwargs):
        raise ValueError("x" * 5000)

    monkeypatch.setattr(processing, "record_inbound", fails)
    _store(reply("SM" + "1" * 32, candidates[0].phone))
    assert processing.process_pending() == processing.Processed(failed=1)
    failed = ProviderEvent.objects.get()
    assert failed.error == ("ValueError: " + "x" * 5000)[:2000]
    assert f"Webhook event #{failed.pk} ({failed}) could not be processed" in caplog.messages


def test_a_receipt_processed_late_keeps_the_time_its_webhook_arrived(candidates):
    ada = candidates[0]
    thread = Thread.objects.create(candidate=ada, phone_number=ada.phone)
    sent = Message.objects.create(
        thread=thread,
        direction="outbound",
        status=MessageStatus.SENT,
        body="Hello",
        to_number=ada.phone,
        provider="twilio",
        provider_message_id="SM" + "3" * 32,
    )
    delivered = StatusEvent("SM" + "3" * 32, "delivered", "", "", None, {"MessageStatus": "x"})
    _store(delivered)
    arrived = timezone.now() - timedelta(minutes=7)
    ProviderEvent.objects.update(received_at=arrived)
    assert processing.process_pending() == processing.Processed(processed=1)
    sent.refresh_from_db()
    assert (sent.status, sent.receipt_at) == (MessageStatus.DELIVERED, arrived)


def _unknown_receipts(count, start=0):
    _store(
        *(
            StatusEvent(f"SM{i:032d}", "delivered", "", "", None, {"n": i})
            for i in range(start, start + count)
        )
    )


def test_a_backlog_asks_for_a_helper_once_however_many_batches_follow(db):
    _unknown_receipts(2 * processing.BATCH_SIZE + 1)
    helpers = []
    result = processing.process_pending(on_backlog=lambda: helpers.append(1))
    assert result == processing.Processed(processed=2 * processing.BATCH_SIZE + 1)
    assert helpers == [1]


def test_a_short_batch_asks_for_no_helper(db):
    _unknown_receipts(processing.BATCH_SIZE - 1)
    helpers = []
    processing.process_pending(on_backlog=lambda: helpers.append(1))
    assert helpers == []


def test_stopping_on_the_time_budget_counts_the_failures_too(db, monkeypatch):
    def fails(provider, event, **kwargs):
        raise ValueError("cannot record this one")

    monkeypatch.setattr(processing, "record_status", fails)
    _unknown_receipts(processing.BATCH_SIZE + 5)
    result = processing.process_pending(budget=0)
    assert result == processing.Processed(failed=processing.BATCH_SIZE, more=True)
