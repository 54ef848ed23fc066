"""A candidate's reply cancels what is still waiting for them (scheduled, held, automated) and
marked "Cancel if they reply"; the recruiter can send one again with a click."""

import itertools
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.models import TimelineEvent
from integrations.providers.base import InboundSms
from sms.inbound.ingest import record_inbound
from sms.models import Message, MessageStatus
from sms.outbox.actions import retry_message
from sms.outbox.queueing import queue_message
from sms.outbox.sweeper import sweep_outbox

ADA = "+12025550101"
_ids = itertools.count(1)


def reply(body="Yes, Tuesday works", sender=ADA):
    message, _ = record_inbound(
        "twilio",
        InboundSms(
            provider_message_id=f"SM{next(_ids):032d}",
            from_number=sender,
            to_number="+15005550006",
            body=body,
            received_at=timezone.now(),
            opt_out_type=None,
            raw={},
        ),
    )
    return message


@pytest.fixture
def ada(cards):
    return cards["Ada"].candidate


def test_a_reply_cancels_a_scheduled_follow_up_before_it_goes(
    active_twilio, fake_provider, ada, recruiter, travel
):
    start = timezone.now()
    travel(start)
    later = queue_message(
        ada, "Following up", sent_by=recruiter, scheduled_for=start + timedelta(hours=2)
    )
    assert later.cancel_if_reply is True
    answer = reply()
    later.refresh_from_db()
    assert later.status == MessageStatus.CANCELED
    expected = f"Cancelled — Ada replied at {timezone.localtime(answer.created_at):%H:%M}"
    assert later.error_message == expected
    assert TimelineEvent.objects.filter(
        candidate=ada, kind=TimelineEvent.Kind.SMS_CANCELED, description__startswith=expected
    ).exists()

    travel(start + timedelta(hours=3))
    sweep_outbox()
    assert fake_provider.sends_to(ADA) == 0


def test_switched_off_it_still_goes_out(active_twilio, fake_provider, ada, recruiter, travel):
    start = timezone.now()
    travel(start)
    later = queue_message(
        ada,
        "Following up",
        sent_by=recruiter,
        scheduled_for=start + timedelta(hours=2),
        cancel_if_reply=False,
    )
    reply()
    travel(start + timedelta(hours=2, minutes=1))
    sweep_outbox()
    later.refresh_from_db()
    assert later.status == MessageStatus.SENT
    assert fake_provider.sends_to(ADA) == 1


def test_a_reply_cancels_a_pending_automated_text_unless_its_rule_says_not(
    active_twilio, fake_provider, cards, stage, rule, move
):
    rule(delay=60)
    rule(stage_name="Interview", name="Keep going", delay=120, cancel_if_reply=False)
    move(cards["Ada"], stage("Interview"))
    reply()
    statuses = dict(
        Message.objects.filter(automation_rule__isnull=False).values_list(
            "automation_rule__name", "status"
        )
    )
    assert statuses == {"Interview invite": "canceled", "Keep going": "queued"}


def test_a_message_already_on_its_way_is_not_cancelled(active_twilio, ada, recruiter):
    on_its_way = queue_message(ada, "Right now", sent_by=recruiter)  # published, not waiting
    reply()
    on_its_way.refresh_from_db()
    assert on_its_way.status == MessageStatus.QUEUED


def test_another_candidates_reply_cancels_nothing(active_twilio, cards, recruiter, travel):
    later = queue_message(
        cards["Ada"].candidate,
        "Following up",
        sent_by=recruiter,
        scheduled_for=timezone.now() + timedelta(hours=2),
    )
    reply(sender="+12025550102")
    later.refresh_from_db()
    assert later.status == MessageStatus.QUEUED


def test_the_recruiter_sends_a_cancelled_one_again_with_a_click(
    active_twilio,
    fake_provider,
    ada,
    recruiter,
    recruiter_client,
    django_capture_on_commit_callbacks,
):
    later = queue_message(
        ada,
        "Following up",
        sent_by=recruiter,
        scheduled_for=timezone.now() + timedelta(hours=2),
    )
    waiting = recruiter_client.get(reverse("candidates:detail", args=[ada.pk])).content.decode()
    assert "Scheduled by Riley Recruiter · cancelled if Ada replies" in waiting
    reply()
    page = recruiter_client.get(reverse("candidates:detail", args=[ada.pk])).content.decode()
    assert f'id="retry-{later.pk}"' in page and "Send again" in page
    with django_capture_on_commit_callbacks(execute=True):
        again = retry_message(later, by=recruiter)
    again.refresh_from_db()
    assert again.retry_of_id == later.pk
    assert again.status == MessageStatus.SENT
    assert retry_message(later, by=recruiter).pk == again.pk  # a double click: still one
    assert fake_provider.sends_to(ADA) == 1


def test_the_composer_switch_is_on_unless_unticked(recruiter_client, active_twilio, ada):
    url = reverse("sms:send_to_candidate", args=[ada.pk])
    when = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    base = {"kind": "custom", "body": "Hi", "action": "schedule", "scheduled_for": when}
    recruiter_client.post(url, base)
    recruiter_client.post(url, {**base, "cancel_if_reply_shown": "1"})
    recruiter_client.post(url, {**base, "cancel_if_reply_shown": "1", "cancel_if_reply": "on"})
    flags = list(Message.objects.order_by("pk").values_list("cancel_if_reply", flat=True))
    assert flags == [True, False, True]


def test_a_message_the_recruiter_cancelled_is_not_offered_again(active_twilio, ada, recruiter):
    from sms.outbox.actions import cancel_scheduled
    from sms.outbox.queueing import SendRefused

    later = queue_message(
        ada, "Following up", sent_by=recruiter, scheduled_for=timezone.now() + timedelta(hours=2)
    )
    cancel_scheduled(later, by=recruiter)
    with pytest.raises(SendRefused):
        retry_message(later, by=recruiter)
