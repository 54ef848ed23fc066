"""Claim and load in one round trip (sms.outbox.claiming): the conditional claim still decides,
the loaded message carries its thread, candidate and sender without further queries, and the
facts the send checks (opt-out in force, stored files, the active integration's version) come
with it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from integrations.models import Integration
from sms.models import Attachment, AttachmentStatus, Message, MessageStatus, OptOut, Thread
from sms.outbox.claiming import claim_and_load, claim_for_sending, load_claimed
from sms.outbox.queueing import queue_message
from sms.tasks import send_message
from tests.helpers.providers import TWILIO_FROM


@pytest.fixture
def queued(candidate, recruiter, django_capture_on_commit_callbacks):
    def _queue(body="Hello Ada"):
        with django_capture_on_commit_callbacks(execute=False):
            return queue_message(candidate, body, sent_by=recruiter)

    return _queue


def test_a_claim_loads_the_message_with_its_thread_candidate_and_sender(
    active_twilio, queued, candidate, recruiter, django_assert_num_queries
):
    message = queued()
    statements = 1 if connection.vendor == "postgresql" else 2
    with django_assert_num_queries(statements):
        loaded = claim_and_load(message.pk, provider="twilio", sender=TWILIO_FROM)
        # Everything the send reads is loaded: no further query.
        assert loaded.thread.candidate.first_name == "Ada"
        assert loaded.sent_by.username == recruiter.username
    assert (loaded.pk, loaded.status, loaded.attempts) == (message.pk, MessageStatus.SENDING, 1)
    assert (loaded.provider, loaded.from_number) == ("twilio", TWILIO_FROM)
    assert loaded.claimed_at is not None
    assert loaded.thread.candidate.pk == candidate.pk
    assert loaded.body == "Hello Ada"
    # Loaded as the ORM loads a row: from this database, not to be inserted again.
    for instance in (loaded, loaded.thread, loaded.thread.candidate, loaded.sent_by):
        assert (instance._state.db, instance._state.adding) == ("default", False)
    assert loaded.standing_opt_out_id is None
    assert loaded.has_media is False  # a bool, whatever the database returns for EXISTS
    active_twilio.refresh_from_db()
    assert loaded.active_integration_id == active_twilio.pk
    assert loaded.active_integration_updated_at == active_twilio.updated_at


def test_a_claim_without_an_expected_provider_leaves_it_blank(active_twilio, queued):
    loaded = claim_and_load(queued().pk)
    assert (loaded.status, loaded.provider, loaded.from_number) == (MessageStatus.SENDING, "", "")


def test_a_bare_claim_records_no_provider_either(active_twilio, queued):
    message = queued()
    assert claim_for_sending(message.pk)
    row = Message.objects.values_list("status", "provider", "from_number").get(pk=message.pk)
    assert row == (MessageStatus.SENDING, "", "")


def test_a_message_claimed_already_is_not_loaded(active_twilio, queued):
    message = queued()
    assert claim_and_load(message.pk) is not None
    assert claim_and_load(message.pk) is None  # a duplicated or redelivered task
    assert Message.objects.get(pk=message.pk).attempts == 1


def test_a_message_not_due_yet_is_neither_claimed_nor_loaded(active_twilio, queued):
    message = queued()
    later = timezone.now() + timedelta(minutes=5)
    Message.objects.filter(pk=message.pk).update(next_attempt_at=later)
    assert claim_and_load(message.pk) is None
    assert Message.objects.get(pk=message.pk).status == MessageStatus.QUEUED
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert claim_and_load(message.pk).status == MessageStatus.SENDING


def test_an_unknown_or_taken_message_is_not_claimed(active_twilio, queued):
    message = queued()
    assert claim_and_load(message.pk + 1000) is None
    assert claim_for_sending(message.pk)
    assert not claim_for_sending(message.pk)
    assert claim_and_load(message.pk) is None


def test_the_load_carries_the_opt_out_in_force_and_stored_files(active_twilio, queued):
    message = queued()
    opt_out = OptOut.objects.create(
        phone_number=message.to_number, opted_out=True, changed_at=timezone.now()
    )
    Attachment.objects.create(
        message=message, status=AttachmentStatus.STORED, file="sms/attachments/a.png"
    )
    loaded = claim_and_load(message.pk)
    assert (loaded.standing_opt_out_id, loaded.has_media) == (opt_out.pk, True)
    assert loaded.has_media is True
    OptOut.objects.filter(pk=opt_out.pk).update(opted_out=False)
    Attachment.objects.filter(message=message).update(status=AttachmentStatus.LINK, file="")
    reloaded = load_claimed(message.pk)
    assert (reloaded.standing_opt_out_id, reloaded.has_media) == (None, False)


def test_a_message_without_a_thread_or_sender_loads_them_as_none(active_twilio):
    message = Message.objects.create(
        direction="outbound", status=MessageStatus.QUEUED, body="Test", to_number="+12025550111",
        is_test=True,
    )  # fmt: skip
    loaded = claim_and_load(message.pk)
    assert (loaded.thread, loaded.sent_by) == (None, None)


def test_a_thread_without_a_candidate_loads_it_as_none(active_twilio):
    thread = Thread.objects.create(phone_number="+12025550188")
    message = Message.objects.create(
        thread=thread, direction="outbound", status=MessageStatus.QUEUED, body="Hi",
        to_number="+12025550188", raw={"kept": ["as", "json"]},
    )  # fmt: skip
    loaded = claim_and_load(message.pk)
    assert (loaded.thread.pk, loaded.thread.candidate) == (thread.pk, None)
    assert loaded.raw == {"kept": ["as", "json"]}  # the column read as the ORM reads it


def test_no_active_integration_loads_none_for_it(active_twilio, queued):
    message = queued()
    Integration.objects.update(is_active=False)
    loaded = claim_and_load(message.pk)
    assert (loaded.active_integration_id, loaded.active_integration_updated_at) == (None, None)


def test_turning_the_provider_off_stops_the_next_send(active_twilio, queued, fake_provider):
    first, message = queued("First"), queued("Second")
    assert send_message(first.pk) == MessageStatus.SENT  # this process keeps a copy
    active_twilio.refresh_from_db()
    active_twilio.is_active = False
    active_twilio.save()
    assert send_message(message.pk) == MessageStatus.FAILED
    message.refresh_from_db()
    assert message.error_code == "sms_turned_off"
    assert len(fake_provider.requests_for("twilio.send")) == 1


def test_a_new_auth_token_is_used_by_the_next_send(active_twilio, queued, fake_provider):
    assert send_message(queued("First").pk) == MessageStatus.SENT
    fake_provider.twilio_token = "a-new-auth-token"  # Twilio now accepts only the new one
    active_twilio.refresh_from_db()
    active_twilio.secret = "a-new-auth-token"
    active_twilio.save()
    assert send_message(queued("Second").pk) == MessageStatus.SENT
    first, second = fake_provider.requests_for("twilio.send")
    assert second.auth[1] == "a-new-auth-token" != first.auth[1]


def test_a_message_gone_meanwhile_loads_as_none(db):
    assert load_claimed(2**31 - 1) is None
    assert claim_and_load(2**31 - 1) is None
