"""Inbound ingestion: matching the sender to a candidate, unknown senders, opt-out keywords."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from candidates.models import TimelineEvent
from integrations.providers.base import InboundMedia, InboundSms, StatusEvent
from sms import threads
from sms.inbound import ingest
from sms.inbound.ingest import record_inbound
from sms.inbound.keywords import OPT_IN, OPT_OUT, read_reply
from sms.inbound.statuses import record_status
from sms.models import ConsentEvent, Message, OptOut, Thread
from sms.threads import link_unknown_sender, normalize_sender
from tests.factories import CandidateFactory

NUMBER = "+12025550123"


def inbound(body="Hello", sender=NUMBER, opt_out_type=None, message_id=None):
    return InboundSms(
        provider_message_id=message_id or uuid.uuid4().hex,
        from_number=sender,
        to_number="+15005550006",
        body=body,
        received_at=None,
        opt_out_type=opt_out_type,
        raw={"Body": body, "From": sender},
    )


def test_a_reply_goes_to_the_candidate_with_that_number(db):
    candidate = CandidateFactory(phone=NUMBER)
    message, created = record_inbound("twilio", inbound("Sounds good"))
    assert created
    assert message.thread.candidate == candidate
    event = TimelineEvent.objects.get(candidate=candidate, kind="sms_received")
    assert event.description == "SMS received: “Sounds good”"
    # Texting first is consent to replies, on the timeline too (tests/sms/test_consent.py).
    consent = TimelineEvent.objects.get(candidate=candidate, kind="sms_consent")
    assert consent.description.startswith("SMS consent on record: texted first")


def test_with_several_candidates_on_a_number_the_most_recent_conversation_wins(db):
    older = CandidateFactory(phone=NUMBER)
    recent = CandidateFactory(phone=NUMBER)
    never_texted = CandidateFactory(phone=NUMBER)
    now = timezone.now()
    Thread.objects.create(candidate=older, phone_number=NUMBER, last_message_at=now)
    Thread.objects.create(
        candidate=recent, phone_number=NUMBER, last_message_at=now - timedelta(days=3)
    )
    Thread.objects.filter(candidate=older).update(last_message_at=now - timedelta(days=9))
    message, _ = record_inbound("twilio", inbound())
    assert message.thread.candidate == recent
    assert never_texted.pk > recent.pk  # not simply the newest candidate


def test_without_any_conversation_the_newest_candidate_gets_the_reply(db):
    CandidateFactory(phone=NUMBER)
    newest = CandidateFactory(phone=NUMBER)
    message, _ = record_inbound("clicksend", inbound())
    assert message.thread.candidate == newest


def test_an_unknown_number_gets_one_unknown_sender_thread(db):
    first, _ = record_inbound("twilio", inbound("Who is this?"))
    second, _ = record_inbound("clicksend", inbound("Hello??"))
    assert first.thread_id == second.thread_id
    thread = Thread.objects.get(pk=first.thread_id)
    assert thread.is_unknown_sender
    assert str(thread) == f"Unknown sender {NUMBER}"
    assert thread.unread_count == 2
    assert thread.last_message_preview == "Hello??"


def test_short_codes_and_numbers_without_plus_are_handled(db):
    short, _ = record_inbound("twilio", inbound("Promo", sender="72345"))
    assert short.thread.phone_number == "72345"
    assert normalize_sender("61429912603") == "+61429912603"
    assert normalize_sender(" +1 (202) 555-0123 ") == NUMBER


def test_the_same_provider_message_id_is_stored_once(db):
    CandidateFactory(phone=NUMBER)
    first, created_first = record_inbound("twilio", inbound(message_id="SM1"))
    again, created_again = record_inbound("twilio", inbound(message_id="SM1"))
    other_provider, created_other = record_inbound("clicksend", inbound(message_id="SM1"))
    assert (created_first, created_again, created_other) == (True, False, True)
    assert again.pk == first.pk
    assert other_provider.pk != first.pk
    assert Message.objects.count() == 2


@pytest.mark.parametrize(
    "body",
    [
        "STOP",
        "stop",
        " Stop ",
        "STOPALL",
        "unsubscribe",
        "Cancel",
        "END",
        "quit",
        "REVOKE",
        "OptOut",
        "stop.",
    ],
)
def test_opt_out_keywords_record_an_opt_out(db, body):
    candidate = CandidateFactory(phone=NUMBER)
    record_inbound("clicksend", inbound(body))
    opt_out = OptOut.objects.get(phone_number=NUMBER)
    assert (opt_out.opted_out, opt_out.source) == (True, "keyword")
    assert opt_out.detail == body.strip().rstrip(".").upper()
    assert TimelineEvent.objects.filter(candidate=candidate, kind="opted_out").exists()


@pytest.mark.parametrize("body", ["stopping by later", "END of day works", ""])
def test_a_keyword_inside_a_sentence_is_not_an_opt_out(db, body):
    record_inbound("clicksend", inbound(body))
    assert not OptOut.objects.filter(opted_out=True).exists()


@pytest.mark.parametrize("body", ["Please stop texting me", "STOP IT"])
def test_a_sentence_that_asks_to_stop_is_an_opt_out_in_the_candidates_words(db, body):
    record_inbound("clicksend", inbound(body))
    opt_out = OptOut.objects.get(phone_number=NUMBER)
    assert (opt_out.opted_out, opt_out.source, opt_out.detail) == (True, "phrase", body)


def test_twilios_opt_out_type_counts_even_for_other_words(db):
    record_inbound("twilio", inbound("Arrêt", opt_out_type="STOP"))
    assert OptOut.objects.get(phone_number=NUMBER).opted_out is True


@pytest.mark.parametrize("keyword", ["START", "yes", "Unstop"])
def test_start_words_opt_back_in_after_an_opt_out(db, keyword):
    candidate = CandidateFactory(phone=NUMBER)
    record_inbound("twilio", inbound("STOP"))
    record_inbound("twilio", inbound(keyword))
    assert OptOut.objects.get(phone_number=NUMBER).opted_out is False
    kinds = list(TimelineEvent.objects.filter(candidate=candidate).values_list("kind", flat=True))
    assert kinds.count("opted_out") == kinds.count("opted_in") == 1


def test_a_plain_yes_from_a_number_that_never_opted_out_records_nothing(db):
    CandidateFactory(phone=NUMBER)
    record_inbound("twilio", inbound("Yes"))
    assert not OptOut.objects.filter(opted_out=True).exists()
    assert not TimelineEvent.objects.filter(kind__in=["opted_in", "opted_out"]).exists()


def test_an_opt_out_applies_to_every_candidate_with_the_number(db):
    family = [CandidateFactory(phone=NUMBER), CandidateFactory(phone=NUMBER)]
    record_inbound("twilio", inbound("STOP"))
    assert OptOut.objects.count() == 1
    for candidate in family:
        assert TimelineEvent.objects.filter(candidate=candidate, kind="opted_out").exists()


def test_a_repeated_stop_changes_nothing_more(db):
    record_inbound("twilio", inbound("STOP"))
    first = OptOut.objects.get().changed_at
    record_inbound("twilio", inbound("STOP"))
    assert OptOut.objects.get().changed_at == first


def test_read_reply_reads_keywords_as_whole_messages():
    reading = read_reply("  Unsubscribe!  ", None)
    assert (reading.intent, reading.keyword) == (OPT_OUT, "UNSUBSCRIBE")
    assert read_reply("help", None).intent == "help"
    assert (read_reply("", "START").intent, read_reply("", "START").keyword) == (OPT_IN, "START")
    assert read_reply("Hello", "HELP") is None


def test_nul_characters_and_overlong_fields_are_stored_safely(db):
    message, _ = record_inbound(
        "clicksend",
        inbound(body="a\x00b", sender="+1202555012" + "3" * 40, message_id="X" * 90),
    )
    message.refresh_from_db()
    assert message.body == "ab"
    assert len(message.provider_message_id) == 64
    assert len(message.from_number) <= 32


def test_an_unknown_sender_thread_can_be_linked_to_a_new_candidate(db):
    message, _ = record_inbound("twilio", inbound("Hi, I applied yesterday"))
    candidate = CandidateFactory(phone=NUMBER)
    thread = link_unknown_sender(message.thread, candidate)
    assert thread.pk == message.thread_id
    assert Thread.objects.get(pk=thread.pk).candidate == candidate
    # Later replies now go to the candidate's thread.
    reply, _ = record_inbound("twilio", inbound("Any news?"))
    assert reply.thread_id == thread.pk


def test_linking_into_an_existing_conversation_merges_the_messages(db):
    candidate = CandidateFactory(phone="+12025550999")
    own = Thread.objects.create(
        candidate=candidate,
        phone_number="+12025550999",
        last_message_at=timezone.now() - timedelta(days=2),
        unread_count=1,
    )
    unknown_message, _ = record_inbound("twilio", inbound("New number, it's me"))
    merged = link_unknown_sender(unknown_message.thread, candidate)
    assert merged.pk == own.pk
    assert not Thread.objects.filter(candidate__isnull=True).exists()
    unknown_message.refresh_from_db()
    assert unknown_message.thread_id == own.pk
    own.refresh_from_db()
    assert (own.unread_count, own.last_message_preview) == (2, "New number, it's me")


def test_a_non_ascii_digit_reference_is_ignored_not_a_crash(db):
    event = StatusEvent("", "delivered", "", "", None, {}, reference="²³")
    assert record_status("clicksend", event) is False


def test_a_reply_answers_its_threads_latest_outbound_message_before_it(db):
    """The message SMS Analytics credits with the reply: this thread's, outbound, and sent
    before the reply arrived (a reply processed late does not answer a later send)."""
    candidate = CandidateFactory(phone=NUMBER)
    other = CandidateFactory(phone="+12025550999")
    thread = Thread.objects.create(candidate=candidate, phone_number=NUMBER)
    other_thread = Thread.objects.create(candidate=other, phone_number=other.phone)
    arrived = timezone.now() - timedelta(minutes=10)

    def message(in_thread, direction, minutes_before_reply):
        status = "received" if direction == "inbound" else "sent"
        sent = Message.objects.create(
            thread=in_thread, direction=direction, body="?", status=status, to_number=NUMBER
        )
        at = arrived - timedelta(minutes=minutes_before_reply)
        Message.objects.filter(pk=sent.pk).update(created_at=at)
        return sent

    asked = message(thread, "outbound", 5)
    message(thread, "inbound", 2)  # their earlier text is not what this one answers
    message(other_thread, "outbound", 1)  # another conversation's send
    message(thread, "outbound", -3)  # sent after the reply arrived
    reply, _ = record_inbound("twilio", inbound("Yes"), at=arrived)
    assert reply.in_reply_to_id == asked.pk


def test_an_opt_out_and_the_opt_in_after_it_name_the_reply_its_words_and_provider(db, caplog):
    CandidateFactory(phone=NUMBER)
    with caplog.at_level("INFO", logger="sms.inbound.ingest"):
        stop, _ = record_inbound("twilio", inbound("STOP"))
    assert f"SMS #{stop.pk} is an opt-out (keyword:stop)" in caplog.messages
    opt_out = OptOut.objects.get(phone_number=NUMBER)
    assert (opt_out.provider, opt_out.detail) == ("twilio", "STOP")
    start, _ = record_inbound("twilio", inbound("Start"))
    opt_in = OptOut.objects.get(phone_number=NUMBER)
    assert (opt_in.opted_out, opt_in.provider, opt_in.detail) == (False, "twilio", "START")
    entries = ConsentEvent.objects.filter(phone_number=NUMBER, message__isnull=False)
    assert list(entries.order_by("pk").values_list("message", "granted", "provider", "detail")) == [
        (stop.pk, False, "twilio", "STOP"),
        (start.pk, True, "twilio", "START"),
    ]


def test_a_reply_is_on_the_timeline_with_its_message_and_provider_and_counts_its_segments(db):
    candidate = CandidateFactory(phone=NUMBER)
    message, _ = record_inbound("clicksend", inbound("Sounds good"))
    assert message.segments == 1
    event = TimelineEvent.objects.get(candidate=candidate, kind="sms_received")
    assert event.data == {"message_id": message.pk, "provider": "clicksend"}


def test_a_photo_without_words_is_on_the_timeline_as_an_mms(db):
    candidate = CandidateFactory(phone=NUMBER)
    photo = InboundSms(
        uuid.uuid4().hex, NUMBER, "+15005550006", "", None, None, {},
        (InboundMedia("https://example.com/1.jpg", "image/jpeg"),),
    )  # fmt: skip
    record_inbound("twilio", photo)
    event = TimelineEvent.objects.get(candidate=candidate, kind="sms_received")
    assert event.description == "MMS received: 📷 Photo"


def test_a_delivery_that_won_the_race_to_insert_is_the_one_kept(db, monkeypatch, caplog):
    """Two deliveries of one reply at once: the other one inserts between this one's look-up
    and its insert (the unique constraint decides; PostgreSQL runs it for real in
    test_concurrency_postgres.py)."""
    sid = "SM" + "d" * 32
    bystanders = Thread.objects.create(candidate=None, phone_number="+12025550777")
    for provider, provider_id in (("clicksend", sid), ("twilio", "SM" + "0" * 32)):
        Message.objects.create(
            thread=bystanders, direction="inbound", status="received", body="Older",
            provider=provider, provider_message_id=provider_id, from_number="+12025550777",
        )  # fmt: skip
    first = {}
    find_thread = threads.thread_for_sender

    def the_other_delivery_inserts_first(sender):
        thread = find_thread(sender)
        if not first:
            first["message"] = Message.objects.create(
                thread=thread, direction="inbound", status="received", body="Yes",
                provider="twilio", provider_message_id=sid, from_number=NUMBER,
            )  # fmt: skip
        return thread

    monkeypatch.setattr(ingest, "thread_for_sender", the_other_delivery_inserts_first)
    with caplog.at_level("INFO", logger="sms.inbound.ingest"):
        message, created = record_inbound("twilio", inbound("Yes", message_id=sid))
    assert (message, created) == (first["message"], False)
    assert Message.objects.filter(provider="twilio", provider_message_id=sid).count() == 1
    assert f"Duplicate twilio inbound {sid} ignored (concurrent)" in caplog.messages
