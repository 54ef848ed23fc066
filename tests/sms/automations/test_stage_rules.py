"""Stage automations through the outbox: a text per stage entry and rule, immediately or after
a delay (the clock moved with time-machine, never slept), cancelled when the card leaves first,
skipped with the reason on the timeline when the rules say no."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from candidates.models import StageEntry, TimelineEvent
from sms.eligibility import Purpose, purpose_of
from sms.models import Message, MessageStatus, OptOut, SmsPolicy
from sms.outbox.sweeper import sweep_outbox
from sms.policy import remember_policy

ADA = "+12025550101"


def timeline(candidate, kind):
    return list(
        TimelineEvent.objects.filter(candidate=candidate, kind=kind).values_list(
            "description", flat=True
        )
    )


def test_an_immediate_rule_texts_the_rendered_template_once(
    active_twilio, fake_provider, cards, stage, rule, move
):
    rule()
    move(cards["Ada"], stage("Interview"))
    message = Message.objects.get()
    assert message.status == MessageStatus.SENT
    assert message.body == "Hi Ada, can we set up an interview for Senior Backend Engineer?"
    assert message.automation_rule.name == "Interview invite"
    assert message.stage_entry.stage.name == "Interview"
    assert message.cancel_if_reply is True
    assert purpose_of(message) == Purpose.AUTOMATED
    assert fake_provider.sends_to(ADA) == 1
    assert timeline(cards["Ada"].candidate, TimelineEvent.Kind.SMS_QUEUED) == [
        'Automated SMS queued by rule "Interview invite" (Senior Backend Engineer, Riley\'s job)'
    ]


def test_a_ten_minute_rule_waits_ten_minutes_then_sends_once(
    active_twilio, fake_provider, cards, stage, rule, move, travel
):
    start = timezone.now()
    travel(start)
    rule(delay=10)
    move(cards["Ada"], stage("Interview"))
    message = Message.objects.get()
    assert message.status == MessageStatus.QUEUED
    assert message.next_attempt_at == message.scheduled_for
    assert timedelta(minutes=10) <= message.scheduled_for - start < timedelta(minutes=11)
    assert (
        "goes out in 10 minutes"
        in timeline(cards["Ada"].candidate, TimelineEvent.Kind.SMS_QUEUED)[0]
    )

    travel(start + timedelta(minutes=9))
    assert sweep_outbox().dispatched == 0
    assert fake_provider.sends_to(ADA) == 0

    travel(start + timedelta(minutes=10, seconds=5))
    assert sweep_outbox().dispatched == 1
    assert sweep_outbox().dispatched == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert fake_provider.sends_to(ADA) == 1


def test_a_card_moved_in_and_out_before_the_delay_gets_nothing(
    active_twilio, fake_provider, cards, stage, rule, move, travel
):
    start = timezone.now()
    travel(start)
    rule(delay=10)
    move(cards["Ada"], stage("Interview"))
    move(cards["Ada"], stage("Offer"))
    message = Message.objects.get()
    assert message.status == MessageStatus.CANCELED
    assert message.error_code == "left_stage"

    travel(start + timedelta(minutes=30))
    sweep_outbox()
    assert fake_provider.sends_to(ADA) == 0
    assert timeline(cards["Ada"].candidate, TimelineEvent.Kind.SMS_CANCELED) == [
        'Automated SMS by rule "Interview invite" cancelled: moved out of Interview before it '
        "went out"
    ]


def test_each_entry_gets_its_own_text_and_moving_within_the_stage_adds_none(
    active_twilio, fake_provider, cards, stage, rule, move
):
    rule()
    move(cards["Ada"], stage("Interview"))
    move(cards["Ada"], stage("Interview"))  # a double click: no new entry
    assert Message.objects.count() == 1
    assert StageEntry.objects.filter(application=cards["Ada"], left_at__isnull=True).count() == 1
    move(cards["Ada"], stage("Offer"))
    move(cards["Ada"], stage("Interview"))  # a new entry: a new text
    assert Message.objects.count() == 2
    assert fake_provider.sends_to(ADA) == 2


def test_the_database_refuses_a_second_text_for_one_entry_and_rule(
    active_twilio, cards, stage, rule, move
):
    automation = rule(delay=5)
    move(cards["Ada"], stage("Interview"))
    first = Message.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(
            thread=first.thread,
            direction="outbound",
            status="queued",
            body="again",
            automation_rule=automation,
            stage_entry=first.stage_entry,
        )


def test_a_disabled_rule_or_another_stage_sends_nothing(
    active_twilio, fake_provider, cards, stage, rule, move
):
    rule(is_enabled=False)
    rule(stage_name="Offer", name="Offer call")
    move(cards["Ada"], stage("Interview"))
    assert not Message.objects.exists()


def test_a_skipped_send_is_explained_on_the_timeline(
    active_twilio, fake_provider, cards, stage, rule, move
):
    policy = SmsPolicy.objects.get(pk=1)
    policy.require_consent = True
    policy.save()
    remember_policy(policy)
    rule()
    move(cards["Ada"], stage("Interview"))
    assert not Message.objects.exists()
    [reason] = timeline(cards["Ada"].candidate, TimelineEvent.Kind.SMS_SKIPPED)
    assert reason.startswith('Stage SMS not sent by rule "Interview invite"')
    assert "No consent on record for Ada Lovelace" in reason


def test_an_opted_out_candidate_is_skipped(active_twilio, fake_provider, cards, stage, rule, move):
    OptOut.objects.create(phone_number=ADA, source="keyword", changed_at=timezone.now())
    rule()
    move(cards["Ada"], stage("Interview"))
    assert not Message.objects.exists()
    assert "opted out" in timeline(cards["Ada"].candidate, TimelineEvent.Kind.SMS_SKIPPED)[0]


def test_with_sms_turned_off_the_move_still_happens_and_says_why(cards, stage, rule, move):
    rule()
    result = move(cards["Ada"], stage("Interview"))
    assert result.to_stage.name == "Interview"
    assert not Message.objects.exists()
    assert timeline(cards["Ada"].candidate, TimelineEvent.Kind.SMS_SKIPPED) == [
        'Stage SMS not sent by rule "Interview invite" (Senior Backend Engineer, Riley\'s job): '
        "SMS is turned off. Ask an administrator to activate Twilio or ClickSend."
    ]


def test_automated_texts_count_towards_the_frequency_cap(
    active_twilio, fake_provider, cards, stage, rule, move
):
    policy = SmsPolicy.objects.get(pk=1)
    policy.bulk_cap_per_day = 1
    policy.save()
    remember_policy(policy)
    rule()
    rule(stage_name="Offer", name="Offer call")
    move(cards["Ada"], stage("Interview"))
    move(cards["Ada"], stage("Offer"))
    assert Message.objects.count() == 1
    assert (
        "in the last 24 hours"
        in timeline(cards["Ada"].candidate, TimelineEvent.Kind.SMS_SKIPPED)[0]
    )


def test_a_delayed_text_due_in_quiet_hours_is_held_until_the_window_opens(
    active_twilio, fake_provider, quiet_hours, cards, stage, rule, move, travel
):
    from datetime import UTC, datetime

    # 19:55 in Washington (UTC-5): due at 20:05, after the window closes.
    travel(datetime(2026, 12, 1, 0, 55, tzinfo=UTC))
    rule(delay=10)
    move(cards["Ada"], stage("Interview"))
    message = Message.objects.get()
    assert message.held_for == "quiet_hours"
    assert message.next_attempt_at == datetime(2026, 12, 1, 13, 0, tzinfo=UTC)


def test_an_inactive_template_is_a_reason_on_the_timeline(
    active_twilio, cards, stage, rule, move, invite
):
    rule()
    invite.is_active = False
    invite.save()
    move(cards["Ada"], stage("Interview"))
    assert not Message.objects.exists()
    [reason] = timeline(cards["Ada"].candidate, TimelineEvent.Kind.SMS_SKIPPED)
    assert reason.endswith("the template “Interview invite” is switched off.")
