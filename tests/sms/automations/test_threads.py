"""The conversation an automated text lands in: created when the candidate has none, its number
following the candidate's, and the text its latest line when it goes out (at once for an
immediate rule; a delayed one waits, as a scheduled message does)."""

from datetime import timedelta

from django.utils import timezone

from sms.models import Direction, Message, Thread
from sms.outbox.sweeper import sweep_outbox
from sms.threads import threads_showing

ADA = "+12025550101"
INVITE = "Hi Ada, can we set up an interview for Senior Backend Engineer?"


def test_an_immediate_rule_creates_the_thread_showing_its_text(
    active_twilio, fake_provider, cards, stage, rule, move
):
    rule()
    move(cards["Ada"], stage("Interview"))
    thread = Thread.objects.get(candidate=cards["Ada"].candidate)
    assert thread.phone_number == ADA
    assert thread.last_message_preview == INVITE
    assert thread.last_message_direction == Direction.OUTBOUND
    assert thread.last_message_author == "Nextal"
    assert Message.objects.get().thread == thread


def test_an_existing_thread_shows_the_text_and_takes_the_new_number(
    active_twilio, fake_provider, cards, stage, rule, move
):
    ada = cards["Ada"].candidate
    old = Thread.objects.create(
        candidate=ada,
        phone_number="+12025550199",
        last_message_preview="Thanks!",
        last_message_direction=Direction.INBOUND,
        last_message_at=timezone.now() - timedelta(days=3),
    )
    rule()
    move(cards["Ada"], stage("Interview"))
    thread = Thread.objects.get(candidate=ada)
    assert thread.pk == old.pk  # the same conversation, never a second one
    assert thread.phone_number == ADA
    assert thread.last_message_preview == INVITE
    assert thread.last_message_direction == Direction.OUTBOUND
    assert thread.last_message_at > old.last_message_at
    assert Message.objects.get().thread_id == old.pk


def test_a_delayed_text_becomes_the_latest_line_only_when_it_goes_out(
    active_twilio, fake_provider, cards, stage, rule, move, travel
):
    start = timezone.now()
    travel(start)
    ada = cards["Ada"].candidate
    Thread.objects.create(
        candidate=ada,
        phone_number="+12025550199",
        last_message_preview="Thanks!",
        last_message_direction=Direction.INBOUND,
        last_message_at=start - timedelta(days=3),
    )
    rule(delay=10)
    move(cards["Ada"], stage("Interview"))
    waiting = Thread.objects.get(candidate=ada)
    assert waiting.phone_number == ADA  # where it will go
    assert waiting.last_message_preview == "Thanks!"
    assert waiting.last_message_direction == Direction.INBOUND

    travel(start + timedelta(minutes=10, seconds=5))
    assert sweep_outbox().dispatched == 1
    sent = Thread.objects.get(candidate=ada)
    assert sent.last_message_preview == INVITE
    assert sent.last_message_direction == Direction.OUTBOUND


def test_threads_showing_returns_every_candidates_thread_once(cards):
    ada, grace = cards["Ada"].candidate, cards["Grace"].candidate
    existing = Thread.objects.create(candidate=grace, phone_number="+12025550102")
    now = timezone.now()
    threads = threads_showing(
        {ada.pk: (ADA, "Hello Ada"), grace.pk: ("+12025550102", "Hello Grace")},
        now=now,
        author="Riley",
    )
    assert threads[grace.pk] == existing.pk
    assert threads[ada.pk] == Thread.objects.get(candidate=ada).pk
    assert Thread.objects.count() == 2
    shown = Thread.objects.get(candidate=grace)
    assert (shown.last_message_preview, shown.last_message_author) == ("Hello Grace", "Riley")
    assert shown.last_message_at == now
