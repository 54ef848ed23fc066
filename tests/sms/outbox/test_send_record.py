"""What an accepted send records, field by field: the status the provider reported (sent or
already delivered), its id and sender cut to their columns, the segments it reported (else ours),
the errors of earlier attempts cleared, and the timeline entry naming who sent what (or the
automation), with the thread's preview naming the author of a scheduled message."""

from datetime import timedelta

import pytest
from django.utils import timezone

from candidates.models import TimelineEvent
from integrations.providers.base import DeliveryStatus, SendResult
from integrations.providers.twilio import TwilioProvider
from sms.automation_models import AutomationRule
from sms.models import Message, MessageStatus, SmsTemplate, Thread
from sms.outbox.queueing import queue_message
from sms.tasks import send_message
from tests.helpers.providers import TWILIO_FROM


@pytest.fixture
def answer(monkeypatch):
    """Make the adapter's send return this result (the provider's answer, as read)."""

    def _answer(**fields):
        result = SendResult(
            **{
                "provider_message_id": "SM" + "1" * 32,
                "status": DeliveryStatus.SENT,
                "segments": None,
                "raw": {"sid": "SM" + "1" * 32},
                **fields,
            }
        )
        monkeypatch.setattr(TwilioProvider, "send", lambda self, sms: result)
        return result

    return _answer


@pytest.fixture
def queued(candidate, django_capture_on_commit_callbacks):
    def _queue(body="Hello Ada", **kwargs):
        with django_capture_on_commit_callbacks(execute=False):
            return queue_message(candidate, body, **kwargs)

    return _queue


def sent(message) -> tuple[Message, TimelineEvent]:
    assert send_message(message.pk) in (MessageStatus.SENT, MessageStatus.DELIVERED)
    message.refresh_from_db()
    return message, TimelineEvent.objects.get(data__message_id=message.pk)


@pytest.mark.parametrize(
    ("reported", "recorded"),
    [
        (DeliveryStatus.SENT, MessageStatus.SENT),
        (DeliveryStatus.DELIVERED, MessageStatus.DELIVERED),
        (DeliveryStatus.FAILED, MessageStatus.SENT),  # an acceptance never records a failure
    ],
)
def test_the_status_is_what_the_provider_reported_when_it_accepted(
    active_twilio, queued, recruiter, answer, reported, recorded
):
    answer(status=reported)
    message, _ = sent(queued(sent_by=recruiter))
    assert message.status == recorded


def test_the_providers_facts_are_cut_to_their_columns(active_twilio, queued, recruiter, answer):
    answer(provider_message_id="SM" + "2" * 70, sender="+1" + "5" * 40, segments=3)
    message, _ = sent(queued(sent_by=recruiter))
    assert message.provider_message_id == ("SM" + "2" * 70)[:64]
    assert message.from_number == ("+1" + "5" * 40)[:32]
    assert message.segments == 3


def test_without_a_reported_sender_or_segments_ours_are_recorded(
    active_twilio, queued, recruiter, answer
):
    answer(sender="", segments=None)
    message, _ = sent(queued("x" * 200, sent_by=recruiter))
    assert message.from_number == TWILIO_FROM
    assert message.segments == 2  # 200 GSM characters: two parts, as we measure them


def test_a_reported_sender_from_a_pool_is_kept(active_twilio, queued, recruiter, answer):
    answer(sender="+12025550177")
    message, _ = sent(queued(sent_by=recruiter))
    assert message.from_number == "+12025550177"


def test_an_earlier_attempts_error_is_cleared(active_twilio, queued, recruiter, answer):
    message = queued(sent_by=recruiter)
    Message.objects.filter(pk=message.pk).update(error_code="20429", error_message="Rate limited")
    answer()
    message, _ = sent(message)
    assert (message.error_code, message.error_message) == ("", "")


def test_the_timeline_names_the_sender_and_the_provider(active_twilio, queued, recruiter, answer):
    answer()
    message, event = sent(queued("See you at 10", sent_by=recruiter))
    assert event.description == "SMS sent by Riley Recruiter: “See you at 10”"
    assert event.data == {"message_id": message.pk, "provider": "twilio"}
    assert event.actor_id == recruiter.pk


def test_without_a_sender_the_timeline_says_only_what_was_sent(active_twilio, queued, answer):
    answer()
    _, event = sent(queued("See you at 10", sent_by=None))
    assert event.description == "SMS sent: “See you at 10”"


def test_an_automated_text_says_so(active_twilio, queued, answer):
    template = SmsTemplate.objects.create(name="Welcome", body="Welcome!")
    rule = AutomationRule.objects.create(name="Welcome", stage_name="Applied", template=template)
    message = queued("Welcome!", sent_by=None)
    Message.objects.filter(pk=message.pk).update(automation_rule=rule)
    answer()
    _, event = sent(message)
    assert event.description == "Automated SMS sent: “Welcome!”"


def test_a_scheduled_text_becomes_the_threads_latest_naming_its_author(
    active_twilio, queued, recruiter, answer
):
    message = queued("Your interview is today", sent_by=recruiter)
    Message.objects.filter(pk=message.pk).update(
        scheduled_for=timezone.now() - timedelta(minutes=1)
    )
    answer()
    message, _ = sent(message)
    thread = Thread.objects.get(pk=message.thread_id)
    assert thread.last_message_author == "Riley"
    assert thread.last_message_preview.endswith("Your interview is today")


@pytest.mark.parametrize("already", [MessageStatus.FAILED, MessageStatus.UNDELIVERED])
def test_an_accepted_as_delivered_answer_does_not_overwrite_an_equal_rank_callback(
    active_twilio, queued, recruiter, monkeypatch, already
):
    """The provider's answer says "delivered" but a callback that beat it said failed: both are
    final, neither outranks the other, so the one recorded first stands (the facts are kept)."""
    message = queued(sent_by=recruiter)

    def send(self, sms):
        Message.objects.filter(pk=message.pk).update(status=already)  # the callback's
        return SendResult(
            provider_message_id="SM" + "2" * 32,
            status=DeliveryStatus.DELIVERED,
            segments=1,
            raw={"sid": "SM" + "2" * 32},
        )

    monkeypatch.setattr(TwilioProvider, "send", send)
    message, entry = sent(message)

    assert message.status == already
    assert message.sent_at is not None and message.provider_message_id == "SM" + "2" * 32
    assert entry.kind == TimelineEvent.Kind.SMS_SENT
