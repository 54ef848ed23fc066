"""Webhooks are stored first (one insert, duplicates ignored), answered, then processed exactly
once by a task; the sweeper processes what a lost task left; failures keep their error and can
be reprocessed from the admin."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, connection
from django.urls import reverse
from django.utils import timezone

from integrations.models import Integration
from integrations.providers.base import DeliveryStatus, InboundSms, StatusEvent
from sms.inbound import processing
from sms.inbound.events import from_payload, store_events, to_payload
from sms.models import Message, MessageStatus, ProviderEvent, Thread
from tests.factories import CandidateFactory, UserFactory
from tests.fakes.provider_server import TWILIO_SID
from tests.fakes.twilio_webhooks import inbound_params, signature
from tests.helpers.providers import CANDIDATE_PHONE, TWILIO_FROM, configure
from tests.helpers.webhooks import processed

INBOUND = reverse("sms:twilio_inbound")
STATUS = reverse("sms:twilio_status")


def twilio_post(client, path, fields):
    url = settings.PUBLIC_BASE_URL + path
    return client.post(
        path,
        data=urlencode(fields),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature(url, fields)},
    )


def reply(sid, body="Yes, Monday works"):
    return inbound_params(sid, sender=CANDIDATE_PHONE, to=TWILIO_FROM, body=body)


def status(sid, value):
    return {"MessageSid": sid, "MessageStatus": value, "AccountSid": TWILIO_SID}


def inbound(sid, body="Hello", received_at=None):
    return InboundSms(sid, CANDIDATE_PHONE, TWILIO_FROM, body, received_at, None, {"Body": body})


@pytest.fixture
def candidate(db):
    configure("twilio")
    return CandidateFactory(phone=CANDIDATE_PHONE)


@pytest.fixture
def sent(candidate):
    thread = Thread.objects.create(candidate=candidate, phone_number=CANDIDATE_PHONE)
    return Message.objects.create(
        thread=thread,
        direction="outbound",
        status=MessageStatus.SENT,
        body="Interview on Monday?",
        provider="twilio",
        provider_message_id="SM" + "a" * 32,
        to_number=CANDIDATE_PHONE,
    )


def test_a_webhook_is_stored_with_its_raw_body_and_processed_after_commit(client, candidate):
    with processed() as callbacks:
        response = twilio_post(client, INBOUND, reply("SM" + "1" * 32))
        # Acknowledged with the event stored and nothing processed yet (the task runs after commit).
        assert response.status_code == 200
        event = ProviderEvent.objects.get()
        assert (event.provider, event.kind, event.event_id) == (
            "twilio",
            "inbound",
            "SM" + "1" * 32,
        )
        assert "Body=Yes%2C+Monday+works" in event.body
        assert event.payload["body"] == "Yes, Monday works"
        assert event.processed_at is None
        assert not Message.objects.filter(direction="inbound").exists()
    assert len(callbacks) == 1
    event.refresh_from_db()
    assert event.processed_at is not None and event.attempts == 1 and event.error == ""
    message = Message.objects.get(direction="inbound")
    assert (message.body, message.thread.candidate) == ("Yes, Monday works", candidate)
    assert message.created_at == event.received_at  # its place in the thread: when it arrived


def test_storing_is_one_statement_and_a_duplicate_inserts_nothing(db, django_assert_num_queries):
    event = inbound("SM" + "2" * 32)
    with django_assert_num_queries(1):
        (new_id,) = store_events("twilio", b"raw", [event])
    with django_assert_num_queries(1):
        assert store_events("twilio", b"raw again", [event]) == []
    assert list(ProviderEvent.objects.values_list("pk", "body")) == [(new_id, "raw")]


def test_statuses_of_one_message_are_separate_events_and_exact_repeats_are_not(db):
    sid = "SM" + "3" * 32
    events = [
        StatusEvent(sid, DeliveryStatus.SENT, "", "", None, {}),
        StatusEvent(sid, DeliveryStatus.DELIVERED, "", "", None, {}),
    ]
    assert len(store_events("twilio", b"", events)) == 2
    assert store_events("twilio", b"", events[1:]) == []
    no_id = inbound("", body="no id")
    assert len(store_events("twilio", b"", [no_id])) == 1
    assert store_events("twilio", b"", [no_id]) == []  # the same content: a hash decides
    assert ProviderEvent.objects.filter(event_id__startswith="sha256:").count() == 1


def test_the_normalized_event_survives_the_round_trip():
    at = datetime(2026, 4, 1, 9, 30, tzinfo=UTC)
    event = StatusEvent("SMx", DeliveryStatus.FAILED, "30003", "Unreachable", at, {"a": [1]}, "42")
    assert from_payload("status", to_payload(event)) == event
    message = inbound("SMy", received_at=at)
    assert from_payload("inbound", to_payload(message)) == message


def test_processing_twice_applies_once(candidate):
    store_events("twilio", b"", [inbound("SM" + "4" * 32), inbound("SM" + "5" * 32)])
    assert processing.process_pending() == processing.Processed(processed=2)
    assert processing.process_pending() == processing.Processed()
    assert processing.sweep_events(now=timezone.now() + timedelta(hours=1)) == (
        processing.Processed()
    )
    assert Message.objects.filter(direction="inbound").count() == 2
    assert Thread.objects.get(candidate=candidate).unread_count == 2


def test_statuses_apply_by_rank_whatever_the_processing_order(client, sent):
    sid = sent.provider_message_id
    # Stored in the order delivered, failed-later-sent: "sent" arrives last and must not win.
    twilio_post(client, STATUS, status(sid, "delivered"))
    twilio_post(client, STATUS, status(sid, "sent"))
    assert ProviderEvent.objects.filter(kind="status", processed_at__isnull=True).count() == 2
    processing.process_pending()
    sent.refresh_from_db()
    assert sent.status == MessageStatus.DELIVERED
    assert not ProviderEvent.objects.filter(processed_at__isnull=True).exists()


def test_inbound_events_keep_their_timestamps_when_processed_out_of_order(candidate):
    early = timezone.now() - timedelta(minutes=5)
    late = early + timedelta(minutes=2)
    # The later message is stored (and so processed) first.
    store_events("twilio", b"", [inbound("SM" + "6" * 32, "second", received_at=late)])
    store_events("twilio", b"", [inbound("SM" + "7" * 32, "first", received_at=early)])
    processing.process_pending()
    thread = Thread.objects.get(candidate=candidate)
    assert [m.body for m in thread.messages.order_by("created_at")] == ["first", "second"]
    assert [m.created_at for m in thread.messages.order_by("created_at")] == [early, late]
    assert (thread.last_message_preview, thread.last_message_at) == ("second", late)
    assert (thread.unread_count, thread.last_inbound_at) == (2, late)


def _broken_event(**fields):
    """An event processing cannot read (e.g. written by an incompatible version)."""
    return ProviderEvent.objects.create(
        provider="twilio", kind="inbound", event_id="broken", payload={"body": "x"}, **fields
    )


def test_a_failing_event_keeps_its_error_and_does_not_undo_the_others(candidate):
    broken = _broken_event()
    store_events("twilio", b"", [inbound("SM" + "8" * 32, "fine")])
    assert processing.process_pending() == processing.Processed(processed=1, failed=1)
    broken.refresh_from_db()
    assert broken.failed and broken.attempts == 1
    assert broken.error.startswith("TypeError: ")
    assert Message.objects.get(direction="inbound").body == "fine"
    # Not retried by the next task, only by the sweeper once it is due, at most MAX_ATTEMPTS.
    assert processing.process_pending() == processing.Processed()
    assert processing.sweep_events() == processing.Processed()
    for attempt in range(2, processing.MAX_ATTEMPTS + 1):
        later = timezone.now() + processing.STALE_AFTER * attempt
        assert processing.sweep_events(now=later) == processing.Processed(failed=1)
        broken.refresh_from_db()
        assert broken.attempts == attempt
    far = timezone.now() + processing.STALE_AFTER * 10
    assert processing.sweep_events(now=far) == processing.Processed()


def test_the_sweeper_processes_events_whose_task_was_lost(candidate):
    # What a killed worker leaves: stored, never processed (its transaction rolled back).
    store_events("twilio", b"", [inbound("SM" + "9" * 32, "lost task")])
    ProviderEvent.objects.update(received_at=timezone.now() - timedelta(minutes=5))
    store_events("twilio", b"", [inbound("SM" + "0" * 32, "fresh")])
    assert processing.sweep_events() == processing.Processed(processed=1)
    assert list(Message.objects.values_list("body", flat=True)) == ["lost task"]
    assert ProviderEvent.objects.filter(processed_at__isnull=True).count() == 1  # the fresh one


@pytest.fixture
def staff_client(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_administrators_see_failed_events_and_reprocess_them(staff_client, candidate):
    broken = _broken_event(attempts=3, error="TypeError: missing fields")
    done = ProviderEvent.objects.create(
        provider="twilio", kind="inbound", event_id="done", processed_at=timezone.now()
    )
    changelist = reverse("admin:sms_providerevent_changelist")
    page = staff_client.get(changelist, {"state": "failed"})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [broken]
    detail = staff_client.get(reverse("admin:sms_providerevent_change", args=[broken.pk]))
    assert "TypeError: missing fields" in detail.content.decode()

    # The cause is fixed (here: the payload completed), then Reprocess.
    broken.payload = to_payload(inbound("SM" + "b" * 32, "reprocessed"))
    broken.save()
    response = staff_client.post(
        changelist,
        {"action": "reprocess_events", "_selected_action": [broken.pk, done.pk]},
        follow=True,
    )
    assert "1 event(s) processed, 0 failed again." in response.content.decode()
    broken.refresh_from_db()
    assert broken.processed_at is not None and broken.error == ""
    assert Message.objects.get(direction="inbound").body == "reprocessed"


def test_a_webhook_that_cannot_be_stored_is_not_acknowledged(client, candidate, monkeypatch):
    def refuse(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr("sms.inbound.views.store_events", refuse)
    response = twilio_post(client, INBOUND, reply("SM" + "c" * 32))
    assert response.status_code == 503
    assert b"disk full" not in response.content


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_webhook_after_the_database_closed_the_connection_is_stored_on_a_new_one(client, caplog):
    """Twilio does not retry an inbound webhook: a kept connection that PostgreSQL closed
    since the last request (a restart, a failover) must not cost the reply."""
    configure("twilio")
    CandidateFactory(phone=CANDIDATE_PHONE)
    assert twilio_post(client, INBOUND, reply("SM" + "e" * 32)).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [pid] = cursor.fetchone()
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])

    response = twilio_post(client, INBOUND, reply("SM" + "f" * 32))

    assert response.status_code == 200
    assert ProviderEvent.objects.filter(event_id="SM" + "f" * 32).count() == 1
    assert "Database connection lost; storing a twilio_inbound webhook again" in caplog.messages


def test_an_acknowledgement_is_one_insert_once_the_settings_are_loaded(
    client, candidate, django_assert_num_queries
):
    twilio_post(client, INBOUND, reply("SM" + "d" * 32))  # loads the provider's settings
    with django_assert_num_queries(1):  # the INSERT; processing runs after commit
        response = twilio_post(client, INBOUND, reply("SM" + "e" * 32))
    assert response.status_code == 200


def test_a_new_auth_token_applies_at_once_in_the_process_that_saved_it(client, candidate):
    assert twilio_post(client, INBOUND, reply("SM" + "f" * 32)).status_code == 200
    integration = Integration.objects.get(kind="twilio")
    integration.secret = "a-rotated-auth-token-0123456789ab"
    integration.save()
    # Signed with the old token: refused, the saved row was re-read.
    assert twilio_post(client, INBOUND, reply("SM" + "0" * 31 + "1")).status_code == 403


def test_a_task_out_of_time_leaves_its_batch_pending_not_failed(candidate, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    store_events("twilio", b"", [inbound("SM" + "1" * 31 + "2")])

    def out_of_time(event, known=None):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(processing, "apply_event", out_of_time)
    with pytest.raises(SoftTimeLimitExceeded):
        processing.process_pending()
    event = ProviderEvent.objects.get()
    assert (event.attempts, event.error, event.processed_at) == (0, "", None)


def test_a_task_hands_over_when_its_time_budget_is_spent(candidate):
    store_events("twilio", b"", [inbound(f"SM{i:032d}") for i in range(processing.BATCH_SIZE + 5)])
    first = processing.process_pending(budget=0)  # one batch, then out of budget
    assert (first.processed, first.more) == (processing.BATCH_SIZE, True)
    assert processing.process_pending() == processing.Processed(processed=5)


def test_reprocess_tries_only_the_chosen_unprocessed_events_once_each(candidate, monkeypatch):
    """Batches of two here: five chosen events (one still broken) take three batches; an event
    not chosen, and one already processed, are left as they were."""
    monkeypatch.setattr(processing, "BATCH_SIZE", 2)
    broken = _broken_event(attempts=3, error="TypeError: missing fields")
    fixed = [
        ProviderEvent.objects.create(
            provider="twilio",
            kind="inbound",
            event_id=f"fixed-{i}",
            payload=to_payload(inbound(f"SM{i:032d}", f"fixed {i}")),
            attempts=3,
            error="TypeError: missing fields",
        )
        for i in range(4)
    ]
    other = ProviderEvent.objects.create(
        provider="twilio",
        kind="inbound",
        event_id="other",
        payload={"body": "x"},
        attempts=3,
        error="TypeError: not chosen",
    )
    waiting = ProviderEvent.objects.create(  # just stored: its own task will process it
        provider="twilio",
        kind="inbound",
        event_id="waiting",
        payload=to_payload(inbound(f"SM{9:032d}", "not chosen")),
    )
    done_at = timezone.now() - timedelta(hours=1)
    done = ProviderEvent.objects.create(
        provider="twilio", kind="inbound", event_id="done", processed_at=done_at, attempts=1
    )

    result = processing.reprocess([broken.pk, *(e.pk for e in fixed), done.pk])

    assert result == processing.Processed(processed=4, failed=1)
    assert sorted(Message.objects.values_list("body", flat=True)) == [
        f"fixed {i}" for i in range(4)
    ]
    broken.refresh_from_db()
    assert (broken.attempts, broken.processed_at) == (1, None)  # tried once, not per batch
    other.refresh_from_db()
    assert (other.attempts, other.error) == (3, "TypeError: not chosen")
    waiting.refresh_from_db()
    assert (waiting.attempts, waiting.processed_at) == (0, None)
    done.refresh_from_db()
    assert (done.attempts, done.processed_at) == (1, done_at)


def _stale_inbound(i, **fields):
    return ProviderEvent.objects.create(
        provider="twilio",
        kind="inbound",
        event_id=f"stale-{i}",
        payload=to_payload(inbound(f"SM{i:032d}", f"stale {i}")),
        received_at=timezone.now() - processing.STALE_AFTER * 3,
        **fields,
    )


def test_a_failed_event_waits_from_its_last_attempt_not_from_its_arrival(candidate):
    """It arrived long ago but failed a moment ago: the sweeper leaves it until STALE_AFTER has
    passed since that failure."""
    failed = _stale_inbound(1, attempts=1, last_attempt_at=timezone.now(), error="TypeError: x")
    assert processing.sweep_events() == processing.Processed()
    later = timezone.now() + processing.STALE_AFTER * 2
    assert processing.sweep_events(now=later) == processing.Processed(processed=1)
    failed.refresh_from_db()
    assert failed.processed_at is not None and failed.attempts == 2


def test_one_sweep_processes_at_most_its_limit_and_logs_what_it_did(candidate, monkeypatch, caplog):
    monkeypatch.setattr(processing, "BATCH_SIZE", 2)
    monkeypatch.setattr(processing, "SWEEP_LIMIT", 4)
    for i in range(5):
        _stale_inbound(i)
    with caplog.at_level("INFO", logger="sms.inbound.processing"):
        first = processing.sweep_events()
    assert first == processing.Processed(processed=4, more=True)
    assert "Webhook sweep: 4 event(s) processed, 0 failed" in caplog.messages
    assert ProviderEvent.objects.filter(processed_at__isnull=True).count() == 1
    assert processing.sweep_events() == processing.Processed(processed=1)


def test_a_sweep_with_nothing_to_do_logs_nothing(candidate, caplog):
    with caplog.at_level("INFO", logger="sms.inbound.processing"):
        assert processing.sweep_events() == processing.Processed()
    assert not [m for m in caplog.messages if m.startswith("Webhook sweep")]


def test_without_redis_a_backlog_asks_for_no_helper(candidate, monkeypatch):
    """The embedded default (tasks in-process, no Redis flag to coalesce on): a task that finds
    a full batch goes on draining by itself and publishes no helper beside it."""
    from sms.inbound import events

    published = []
    monkeypatch.setattr(events, "publish_processing", lambda *a, **kw: published.append(kw))
    assert events.request_helper() is False
    assert published == []
