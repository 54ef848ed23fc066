"""Retry (a new message, never a resend of the old one) and Cancel (a scheduled message)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sms.models import Message, MessageStatus, OptOut
from sms.outbox import actions, claiming, queueing, sweeper
from tests.helpers.messages import add_message
from tests.helpers.providers import CANDIDATE_PHONE

HTMX = {"HX-Request": "true"}


def retry(client, message, **headers):
    return client.post(
        reverse("sms:message_retry", args=[message.pk]), {"where": "profile"}, headers=headers
    )


def cancel(client, message, **headers):
    return client.post(
        reverse("sms:message_cancel", args=[message.pk]), {"where": "profile"}, headers=headers
    )


@pytest.mark.parametrize("status", ["failed", "undelivered", "unknown"])
def test_retry_queues_a_new_message_and_leaves_the_old_one_alone(
    active_twilio,
    candidate,
    recruiter,
    recruiter_client,
    fake_provider,
    django_capture_on_commit_callbacks,
    status,
):
    old = add_message(candidate, status, "Call me?", error_message="Unreachable", sent_by=recruiter)
    before = Message.objects.values().get(pk=old.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = retry(recruiter_client, old, **HTMX)
    assert response.status_code == 200
    new = Message.objects.exclude(pk=old.pk).get()
    assert (new.retry_of_id, new.body, new.status) == (old.pk, "Call me?", MessageStatus.SENT)
    assert Message.objects.values().get(pk=old.pk) == before  # untouched, not resent
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1
    html = response.content.decode()
    assert "Sent again as a new message below." in html
    assert reverse("sms:message_retry", args=[old.pk]) not in html


def test_retrying_twice_returns_the_same_retry(active_twilio, candidate, recruiter):
    old = add_message(candidate, "failed", "Call me?")
    first = actions.retry_message(old, by=recruiter)
    second = actions.retry_message(old, by=recruiter)
    assert first == second
    assert Message.objects.filter(retry_of=old).count() == 1


@pytest.mark.parametrize("status", ["queued", "sending", "sent", "delivered", "canceled"])
def test_only_failed_or_unknown_messages_can_be_retried(
    active_twilio, candidate, recruiter, status
):
    message = add_message(candidate, status, "Hi")
    with pytest.raises(queueing.SendRefused, match="Only a message that failed"):
        actions.retry_message(message, by=recruiter)
    assert Message.objects.count() == 1


def test_a_refused_retry_says_why_next_to_the_message(active_twilio, candidate, recruiter_client):
    old = add_message(candidate, "failed", "Call me?")
    OptOut.objects.create(
        phone_number=CANDIDATE_PHONE, source="keyword", detail="STOP", changed_at=timezone.now()
    )
    response = retry(recruiter_client, old, **HTMX)
    html = response.content.decode()
    assert '<p class="errorlist" role="alert">Ada Lovelace opted out of SMS on' in html
    assert Message.objects.count() == 1


def test_without_htmx_a_retry_redirects_to_the_profile_with_a_message(
    active_twilio, candidate, recruiter_client
):
    old = add_message(candidate, "unknown", "Call me?")
    response = retry(recruiter_client, old)
    assert response.url == reverse("candidates:detail", args=[candidate.pk])
    assert Message.objects.filter(retry_of=old).exists()


def scheduled(candidate, recruiter, minutes=60):
    return queueing.queue_message(
        candidate,
        "Interview tomorrow at 10",
        sent_by=recruiter,
        scheduled_for=timezone.now() + timedelta(minutes=minutes),
    )


def test_cancel_stops_a_scheduled_message(
    active_twilio, candidate, recruiter, recruiter_client, fake_provider
):
    message = scheduled(candidate, recruiter)
    response = cancel(recruiter_client, message, **HTMX)
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELED
    assert message.error_message == "Canceled by Riley Recruiter."
    html = response.content.decode()
    assert 'class="sms-scheduled-item"' not in html
    assert "sms-status-canceled" in html
    # The sweeper never sends it, even once its time has come.
    sweeper.sweep_outbox(now=timezone.now() + timedelta(hours=2))
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 0
    assert message.thread.__class__.objects.get(pk=message.thread_id).last_message_preview == ""


def test_canceling_twice_is_harmless(active_twilio, candidate, recruiter):
    message = scheduled(candidate, recruiter)
    actions.cancel_scheduled(message, by=recruiter)
    again = actions.cancel_scheduled(message, by=recruiter)
    assert again.status == MessageStatus.CANCELED


def test_a_message_already_claimed_for_sending_cannot_be_canceled(
    active_twilio, candidate, recruiter, recruiter_client
):
    message = scheduled(candidate, recruiter, minutes=-1)  # due: the sweeper may claim it
    assert claiming.claim_for_sending(message.pk)
    response = cancel(recruiter_client, message, **HTMX)
    assert "Too late to cancel: this message is already being sent." in response.content.decode()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENDING


def test_only_scheduled_messages_can_be_canceled(active_twilio, candidate, recruiter):
    message = add_message(candidate, "queued", "Right now")
    with pytest.raises(queueing.SendRefused, match="Only a scheduled message"):
        actions.cancel_scheduled(message, by=recruiter)
