"""The send path's branches where a wrong answer means a candidate texted twice, a status going
backwards, or a send that should have been refused: each test fails if its branch is removed or
inverted."""

import statistics
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests
from django.utils import timezone

from integrations.models import Integration
from integrations.providers.base import ErrorKind, ProviderError
from integrations.providers.twilio import TwilioProvider
from sms.models import Direction, Message, MessageStatus, Thread
from sms.outbox.actions import retry_message
from sms.outbox.bulk import plan_bulk
from sms.outbox.queueing import SendRefused, queue_message
from sms.outbox.sending import MAX_SEND_ATTEMPTS, RETRY_BASE_SECONDS, retry_delay
from sms.provider_test.services import queue_test_message
from sms.tasks import send_message
from tests.factories import CandidateFactory
from tests.fakes.twilio_webhooks import signature
from tests.helpers.providers import CANDIDATE_PHONE


def send_raises(monkeypatch, error: Exception) -> None:
    """Twilio's adapter raises `error` for every send (what the branch under test reacts to)."""

    def raises(self, sms):
        raise error

    monkeypatch.setattr(TwilioProvider, "send", raises)


@pytest.fixture
def queued(candidate, recruiter, django_capture_on_commit_callbacks):
    def _queue(body="Hello Ada"):
        with django_capture_on_commit_callbacks(execute=False):
            return queue_message(candidate, body, sent_by=recruiter)

    return _queue


# --- The send's own result after a status callback already moved the message on ---------------


@pytest.mark.django_db(transaction=True)
def test_a_callback_that_beats_the_send_result_is_not_undone_by_it(
    active_twilio, fake_provider, live_server, settings, recruiter
):
    """Twilio calls back "delivered" before its answer to the send reaches the worker: the
    send's own result (which says only "accepted") must not move the message back to sent."""
    settings.PUBLIC_BASE_URL = live_server.url
    candidate = CandidateFactory(first_name="Ada", phone=CANDIDATE_PHONE)
    callbacks = []

    def deliver_before_answering(recorded):
        answer = fake_provider._twilio_message(recorded)
        url = recorded.field("StatusCallback")
        params = {
            "MessageSid": answer["sid"],
            "MessageStatus": "delivered",
            "AccountSid": answer["account_sid"],
            "To": recorded.field("To"),
        }
        callback = requests.post(
            url,
            data=params,
            headers={"X-Twilio-Signature": signature(url, params)},
            timeout=10,
        )
        callbacks.append(callback.status_code)
        return answer

    fake_provider.queue("twilio.send", status=201, json=deliver_before_answering)
    message = queue_message(candidate, "See you Monday", sent_by=recruiter)

    message.refresh_from_db()
    assert callbacks == [204]
    assert message.status == MessageStatus.DELIVERED
    assert message.delivered_at is not None
    assert message.sent_at is not None  # the send's facts are still recorded
    assert message.provider_message_id.startswith("SM")
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1


# --- Backoff -----------------------------------------------------------------------------------


@pytest.mark.parametrize("attempts", range(1, MAX_SEND_ATTEMPTS))
def test_the_backoff_doubles_with_each_attempt_with_jitter_in_its_upper_half(attempts):
    ceiling = RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    delays = [retry_delay(attempts, None) for _ in range(200)]
    assert ceiling / 2 <= min(delays)
    assert max(delays) <= ceiling
    assert statistics.pstdev(delays) > 0  # jittered: retries of a burst do not line up


def test_the_longest_backoff_is_that_of_the_last_retry():
    # 5 attempts: retries wait up to 30, 60, 120 and 240 s; there is no separate cap to reach.
    assert max(retry_delay(MAX_SEND_ATTEMPTS - 1, None) for _ in range(100)) <= 240
    assert min(retry_delay(MAX_SEND_ATTEMPTS - 1, None) for _ in range(100)) >= 120


def test_retry_after_is_a_floor_never_a_shortcut():
    assert retry_delay(1, 600) == 600
    assert 15 <= retry_delay(1, 1) <= 30


def test_each_rate_limited_attempt_waits_longer(active_twilio, queued, fake_provider):
    message = queued()
    waits = []
    for attempt in range(1, MAX_SEND_ATTEMPTS):
        fake_provider.queue_twilio_error(20429, status=429)
        Message.objects.filter(pk=message.pk).update(next_attempt_at=None)
        before = timezone.now()
        assert send_message(message.pk) == MessageStatus.QUEUED
        message.refresh_from_db()
        assert message.attempts == attempt
        waits.append((message.next_attempt_at - before).total_seconds())
    for attempt, wait in enumerate(waits, start=1):
        ceiling = RETRY_BASE_SECONDS * 2 ** (attempt - 1)
        assert ceiling / 2 - 1 <= wait <= ceiling + 1, waits


def test_an_http_date_retry_after_is_honoured(active_twilio, queued, fake_provider):
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=10)
    fake_provider.queue(
        "twilio.send",
        status=429,
        json={"code": 20429, "message": "Too Many Requests", "status": 429},
        headers={"Retry-After": format_datetime(later, usegmt=True)},
    )
    message = queued()

    assert send_message(message.pk) == MessageStatus.QUEUED

    message.refresh_from_db()
    assert abs((message.next_attempt_at - later).total_seconds()) <= 2


# --- Refusing to queue or retry ----------------------------------------------------------------


@pytest.mark.parametrize(
    "missing", ["secret", "phone_number", "account_id"], ids=["no-secret", "no-sender", "no-sid"]
)
def test_it_refuses_to_queue_through_a_provider_that_cannot_send(
    active_twilio, candidate, recruiter, missing
):
    Integration.objects.filter(pk=active_twilio.pk).update(**{missing: ""})

    with pytest.raises(SendRefused) as refused:
        queue_message(candidate, "Hello", sent_by=recruiter)

    assert refused.value.reason == (
        "SMS is turned off: Twilio is missing its credentials or sender number. "
        "Ask an administrator to complete its settings."
    )
    assert not Message.objects.exists()


def _failed(message):
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED)
    message.refresh_from_db()
    return message


def test_a_failed_test_message_cannot_be_retried(active_twilio, recruiter, fake_provider):
    CandidateFactory(phone=CANDIDATE_PHONE)  # the number belongs to a candidate
    test = _failed(queue_test_message(CANDIDATE_PHONE, sent_by=recruiter))
    assert test.thread is None  # a test lives on the Integrations card, not in a conversation

    with pytest.raises(SendRefused, match="no candidate to send it to again"):
        retry_message(test, by=recruiter)
    assert not Message.objects.filter(retry_of=test).exists()


def test_a_failed_message_to_an_unknown_sender_cannot_be_retried(active_twilio, recruiter):
    thread = Thread.objects.create(phone_number="+61400000001")
    message = Message.objects.create(
        thread=thread,
        direction=Direction.OUTBOUND,
        status=MessageStatus.FAILED,
        body="Hello",
        to_number=thread.phone_number,
    )

    with pytest.raises(SendRefused, match="no candidate to send it to again"):
        retry_message(message, by=recruiter)
    assert Message.objects.count() == 1


# --- The rest of what was never checked --------------------------------------------------------


def test_a_bulk_recipient_whose_text_is_too_long_once_filled_in_is_skipped(
    active_twilio, recruiter
):
    short = CandidateFactory(first_name="Al", last_name="Li")
    long = CandidateFactory(first_name="A" * 100, last_name="B" * 100)
    body = "x" * 1500 + " {{full_name}}"

    plan = plan_bulk([short, long], body, sent_by=recruiter)

    assert [candidate for candidate, _, _ in plan.sends] == [short]
    assert plan.skipped == [
        {
            "candidate_id": long.pk,
            "name": long.full_name,
            "reason": "Too long once filled in (1,702 of 1,600 characters).",
        }
    ]
    assert plan.skipped_by_category == {"too long": 1}


def test_a_twilio_error_without_any_http_status_is_ambiguous():
    from twilio.base.exceptions import TwilioException

    from integrations.providers.base import ErrorKind, ProviderCredentials

    adapter = TwilioProvider(ProviderCredentials("AC" + "0" * 32, "token", "+15005550006"))
    error = adapter._error_from(TwilioException("the SDK failed without saying why"), None)

    assert error.kind is ErrorKind.AMBIGUOUS
    assert error.message == "Twilio failed with HTTP 0; the message may have been sent."


@pytest.mark.parametrize(("draw", "share"), [("low", 0.5), ("high", 1.0)])
def test_the_jitter_spans_exactly_the_upper_half_of_the_ceiling(monkeypatch, draw, share):
    """The random part is drawn from [0, ceiling/2]: its ends give half and all the ceiling."""
    import random

    monkeypatch.setattr(random, "uniform", lambda low, high: low if draw == "low" else high)
    for attempts in range(1, MAX_SEND_ATTEMPTS):
        ceiling = RETRY_BASE_SECONDS * 2 ** (attempts - 1)
        assert retry_delay(attempts, None) == ceiling * share


def test_an_ambiguous_failure_records_its_code_and_why_the_outcome_is_unknown(
    active_twilio, queued, fake_provider
):
    message = queued()
    fake_provider.queue("twilio.send", status=503, json={"message": "Service Unavailable"})
    assert send_message(message.pk) == MessageStatus.UNKNOWN
    message.refresh_from_db()
    assert message.status == MessageStatus.UNKNOWN
    assert message.error_code == "503"
    assert message.error_message.startswith("Outcome unknown")
    assert "(Twilio failed with HTTP 503; the message may have been sent.)" in message.error_message
    assert message.next_attempt_at is None  # never retried on its own: it may have gone out


def test_an_ambiguous_failures_code_is_cut_to_the_columns_length(
    active_twilio, queued, fake_provider
):
    message = queued()
    fake_provider.queue("twilio.send", status=503, json={"code": "9" * 60, "message": "Down"})
    assert send_message(message.pk) == MessageStatus.UNKNOWN
    message.refresh_from_db()
    assert message.error_code == "9" * 40


# --- What a retry and a give-up record ---------------------------------------------------------


def test_a_transient_failure_goes_back_to_the_outbox_with_its_code_and_reason(
    active_twilio, queued, fake_provider, candidate, monkeypatch
):
    message = queued()
    bystander = queued("Another worker has this one")
    Message.objects.filter(pk=bystander.pk).update(status=MessageStatus.SENDING)
    bystander_before = Message.objects.filter(pk=bystander.pk).values().get()
    fake_provider.queue(
        "twilio.send", status=429, json={"code": "2" * 50, "message": "Too Many Requests"}
    )
    before = timezone.now()
    real_send = TwilioProvider.send

    def slow_send(self, sms):  # the row as a claim long before the answer left it
        Message.objects.filter(pk=message.pk).update(updated_at=before - timedelta(minutes=5))
        return real_send(self, sms)

    monkeypatch.setattr(TwilioProvider, "send", slow_send)

    assert send_message(message.pk) == MessageStatus.QUEUED

    message.refresh_from_db()
    assert (message.status, message.enqueued_at, message.error_code) == (
        MessageStatus.QUEUED,
        None,  # the sweeper publishes it again when it is due
        "2" * 40,
    )
    assert message.error_message.endswith(" Retrying automatically.")
    assert message.updated_at >= before
    assert Message.objects.filter(pk=bystander.pk).values().get() == bystander_before


def test_the_last_transient_failure_gives_up_and_says_after_how_many(
    active_twilio, queued, fake_provider
):
    message = queued()
    Message.objects.filter(pk=message.pk).update(attempts=MAX_SEND_ATTEMPTS - 1)
    fake_provider.queue_twilio_error(20429, status=429)

    assert send_message(message.pk) == MessageStatus.FAILED

    message.refresh_from_db()
    assert message.error_code == "20429"
    assert message.error_message.endswith(f" Gave up after {MAX_SEND_ATTEMPTS} attempts.")


def test_a_retry_is_sent_by_whoever_asked_with_the_original_template(
    active_twilio, candidate, recruiter, administrator, django_capture_on_commit_callbacks
):
    from sms.models import SmsTemplate

    template = SmsTemplate.objects.create(name="Reminder", body="Hello Ada")
    with django_capture_on_commit_callbacks(execute=False):
        original = queue_message(candidate, "Hello Ada", sent_by=recruiter, template=template)
        original = _failed(original)
        retry = retry_message(original, by=administrator)
    assert (retry.sent_by, retry.template, retry.retry_of, retry.body) == (
        administrator,
        template,
        original,
        "Hello Ada",
    )


def test_only_a_failed_unknown_or_reply_cancelled_message_can_be_sent_again(
    active_twilio, queued, recruiter
):
    message = queued()  # queued, not failed
    with pytest.raises(SendRefused) as refused:
        retry_message(message, by=recruiter)
    assert refused.value.reason == (
        "Only a message that failed, whose outcome is unknown or that a reply cancelled can be "
        "sent again."
    )


def test_a_permanent_failures_code_is_cut_to_the_columns_length(
    active_twilio, queued, fake_provider
):
    message = queued()
    fake_provider.queue("twilio.send", status=400, json={"code": "8" * 60, "message": "No."})
    assert send_message(message.pk) == MessageStatus.FAILED
    message.refresh_from_db()
    assert message.error_code == "8" * 40


# --- An unclassified error and a refusal at send time ------------------------------------------


def test_an_unexpected_error_in_the_adapter_is_outcome_unknown_never_retried(
    active_twilio, queued, fake_provider, monkeypatch, caplog
):
    """Not a ProviderError (an adapter bug, a time limit inside the HTTP call): the provider may
    have accepted it, so it is "outcome unknown" in those words alone, and not queued again."""
    from sms.outbox.sending import OUTCOME_UNKNOWN, send_queued_message

    message = queued()

    send_raises(monkeypatch, RuntimeError("adapter bug"))
    assert send_queued_message(message.pk) == MessageStatus.UNKNOWN
    assert f"Unexpected error sending SMS #{message.pk} through Twilio" in caplog.messages
    message.refresh_from_db()
    assert (message.status, message.error_message, message.error_code) == (
        MessageStatus.UNKNOWN,
        OUTCOME_UNKNOWN,
        "",
    )
    assert message.next_attempt_at is None
    assert send_queued_message(message.pk) == "skipped"  # not claimable again


def test_a_refusal_at_send_time_on_a_later_attempt_keeps_the_provider_it_went_to(
    active_twilio, queued, fake_provider, candidate
):
    """A first attempt refused by the rules never reached a provider: the claim's provider is
    cleared. On a later attempt an earlier one did reach it, so provider health still counts it
    there."""
    from integrations import active
    from sms.models import OptOut
    from sms.outbox.sending import send_queued_message

    active.sending_integration(active_twilio.pk, active_twilio.updated_at)  # a warm worker
    first, later = queued("First"), queued("Second")
    Message.objects.filter(pk=later.pk).update(attempts=1)  # one attempt already made
    OptOut.objects.create(phone_number=CANDIDATE_PHONE, opted_out=True, changed_at=timezone.now())

    assert send_queued_message(first.pk) == MessageStatus.FAILED
    assert send_queued_message(later.pk) == MessageStatus.FAILED
    first.refresh_from_db()
    later.refresh_from_db()
    assert (first.provider, first.from_number) == ("", "")
    assert first.error_code == "opted_out"
    assert later.provider == "twilio"
    assert later.from_number == active_twilio.phone_number
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 0


def test_a_message_cancelled_during_a_failed_attempt_is_not_put_back_in_the_outbox(
    active_twilio, queued, fake_provider, monkeypatch
):
    """A transient failure returns the message to the outbox only if it is still this attempt's
    (sending): a recruiter's Cancel while the provider answered 429 stands."""
    message = queued()
    fake_provider.queue_twilio_error(20429, status=429)
    real_send = TwilioProvider.send

    def cancelled_meanwhile(self, sms):
        Message.objects.filter(pk=message.pk).update(status=MessageStatus.CANCELED)
        return real_send(self, sms)

    monkeypatch.setattr(TwilioProvider, "send", cancelled_meanwhile)
    assert send_message(message.pk) == MessageStatus.QUEUED
    message.refresh_from_db()
    assert (message.status, message.next_attempt_at) == (MessageStatus.CANCELED, None)


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (ProviderError("x" * 600, kind=ErrorKind.TRANSIENT), MessageStatus.QUEUED),
        (ProviderError("x" * 600, kind=ErrorKind.PERMANENT), MessageStatus.FAILED),
        (ProviderError("x" * 600, kind=ErrorKind.AMBIGUOUS), MessageStatus.UNKNOWN),
    ],
    ids=["transient", "permanent", "ambiguous"],
)
def test_a_long_reason_is_cut_to_the_columns_length(
    active_twilio, queued, fake_provider, monkeypatch, error, outcome
):
    message = queued()

    send_raises(monkeypatch, error)
    assert send_message(message.pk) == outcome
    message.refresh_from_db()
    assert message.status == outcome
    assert len(message.error_message) == Message._meta.get_field("error_message").max_length


def test_a_permanent_failure_without_a_code_records_no_code_and_no_opt_out(
    active_twilio, queued, fake_provider, monkeypatch
):
    from sms.models import OptOut

    message = queued()

    send_raises(monkeypatch, ProviderError("Twilio rejected the message", kind=ErrorKind.PERMANENT))
    assert send_message(message.pk) == MessageStatus.FAILED
    message.refresh_from_db()
    assert (message.error_code, message.error_message) == ("", "Twilio rejected the message")
    assert not OptOut.objects.exists()
    assert ProviderError("x", kind=ErrorKind.PERMANENT, code=None).code == ""


def test_a_stale_workers_copy_is_corrected_before_the_call(
    active_twilio, queued, fake_provider, monkeypatch
):
    """The claim recorded this worker's copy of the sender; the integration changed since: the
    row names the new sender before the provider is asked, so an unknown outcome says where it
    may have gone."""
    from integrations import active

    active.sending_integration(active_twilio.pk, active_twilio.updated_at)  # a warm worker
    message = queued()
    Integration.objects.filter(pk=active_twilio.pk).update(
        phone_number="+12025550166", updated_at=timezone.now()
    )

    send_raises(
        monkeypatch, ProviderError("Twilio did not answer in time", kind=ErrorKind.AMBIGUOUS)
    )
    assert send_message(message.pk) == MessageStatus.UNKNOWN
    message.refresh_from_db()
    assert (message.provider, message.from_number) == ("twilio", "+12025550166")
