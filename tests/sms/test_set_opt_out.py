"""Recording an opt-out and an opt-in (`sms.optouts.set_opt_out`), called directly: the number's
standing, its ledger entry, the timeline entry of every candidate with the number (and no
other), and the conversations that must show the change on their next poll."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from candidates.models import TimelineEvent
from sms.models import ConsentEvent, ConsentSource, OptOut, Thread
from sms.optouts import set_opt_out
from tests.factories import CandidateFactory

NUMBER = "+12025550144"
OTHER = "+12025550145"
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def people(db):
    """Two candidates sharing NUMBER (a family phone) and one with another number, each with a
    conversation last changed yesterday."""
    sharing = [CandidateFactory(phone=NUMBER), CandidateFactory(phone=NUMBER)]
    other = CandidateFactory(phone=OTHER)
    for candidate in [*sharing, other]:
        Thread.objects.create(candidate=candidate, phone_number=candidate.phone)
    Thread.objects.update(changed_at=NOW - timedelta(days=1))
    return sharing, other


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def entries(kind):
    return list(
        TimelineEvent.objects.filter(kind=kind)
        .order_by("candidate_id")
        .values_list("candidate_id", "description", "data")
    )


def test_a_stop_reply_records_the_standing_the_ledger_and_each_sharers_timeline(people, frozen):
    sharing, _ = people
    event = set_opt_out(
        NUMBER, opted_out=True, source=OptOut.Source.KEYWORD, detail="STOP", provider="twilio"
    )

    standing = OptOut.objects.get(phone_number=NUMBER)
    assert (standing.opted_out, standing.source, standing.detail, standing.provider) == (
        True,
        OptOut.Source.KEYWORD,
        "STOP",
        "twilio",
    )
    assert (standing.changed_at, standing.consent_source, standing.consent_at) == (NOW, "", None)
    assert event == ConsentEvent.objects.get()
    assert (event.granted, event.source, event.detail, event.provider, event.note) == (
        False,
        ConsentSource.OPT_OUT_KEYWORD,
        "STOP",
        "twilio",
        "",
    )
    data = {"phone_number": NUMBER, "source": "keyword", "consent_event_id": event.pk}
    assert entries(TimelineEvent.Kind.OPTED_OUT) == [
        (candidate.pk, "Opted out of SMS (replied STOP)", data) for candidate in sharing
    ]
    assert not TimelineEvent.objects.filter(kind=TimelineEvent.Kind.SMS_CONSENT).exists()
    changed = dict(Thread.objects.values_list("phone_number", "changed_at").distinct())
    assert changed == {NUMBER: NOW, OTHER: NOW - timedelta(days=1)}


def test_a_start_reply_lifts_it_and_puts_consent_on_record(people, frozen):
    sharing, _ = people
    set_opt_out(NUMBER, opted_out=True, source=OptOut.Source.KEYWORD, detail="STOP")
    event = set_opt_out(NUMBER, opted_out=False, source=OptOut.Source.KEYWORD, detail="START")

    standing = OptOut.objects.get(phone_number=NUMBER)
    assert standing.opted_out is False
    assert (standing.consent_source, standing.consent_at) == (ConsentSource.START_REPLY, NOW)
    assert (event.granted, event.source, event.detail) == (
        True,
        ConsentSource.START_REPLY,
        "START",
    )
    data = {"phone_number": NUMBER, "source": "keyword", "consent_event_id": event.pk}
    assert entries(TimelineEvent.Kind.OPTED_IN) == [
        (candidate.pk, "Opted in to SMS again (replied START)", data) for candidate in sharing
    ]
    assert not TimelineEvent.objects.filter(kind=TimelineEvent.Kind.SMS_CONSENT).exists()


def test_an_opt_in_reported_another_way_says_what_was_reported(people, frozen):
    set_opt_out(NUMBER, opted_out=True, source=OptOut.Source.PROVIDER, detail="21610")
    event = set_opt_out(
        NUMBER, opted_out=False, source=OptOut.Source.PROVIDER, detail="Twilio: START"
    )
    assert event.source == ConsentSource.START_REPLY  # the ledger's only way back in
    (entry,) = entries(TimelineEvent.Kind.OPTED_IN)[:1]
    assert entry[1] == "Opted in to SMS again (Twilio: START)"


def test_an_opt_in_without_a_detail_says_just_that(people, frozen):
    set_opt_out(NUMBER, opted_out=True, source=OptOut.Source.PROVIDER)
    set_opt_out(NUMBER, opted_out=False, source=OptOut.Source.PROVIDER)
    descriptions = {entry[1] for entry in entries(TimelineEvent.Kind.OPTED_IN)}
    assert descriptions == {"Opted in to SMS again"}


def test_nothing_given_is_recorded_as_nothing(people, frozen):
    event = set_opt_out(NUMBER, opted_out=True, source=OptOut.Source.MANUAL)
    standing = OptOut.objects.get(phone_number=NUMBER)
    assert (standing.detail, standing.provider) == ("", "")
    assert (event.detail, event.provider, event.note, event.source) == (
        "",
        "",
        "",
        ConsentSource.RECORDED_OPT_OUT,
    )
    descriptions = {entry[1] for entry in entries(TimelineEvent.Kind.OPTED_OUT)}
    assert descriptions == {"Opted out of SMS (asked a recruiter)"}


def test_a_note_goes_to_the_ledger(people, frozen):
    event = set_opt_out(
        NUMBER, opted_out=True, source=OptOut.Source.MANUAL, note="Asked on the phone"
    )
    assert event.note == "Asked on the phone"


def test_a_long_detail_is_cut_to_200_characters_everywhere(people, frozen):
    said = "please stop " * 30
    event = set_opt_out(NUMBER, opted_out=True, source=OptOut.Source.PHRASE, detail=said)
    assert OptOut.objects.get(phone_number=NUMBER).detail == said[:200]
    assert event.detail == said[:200]


def test_a_repeated_stop_and_an_opt_in_never_opted_out_record_nothing(people, frozen):
    assert set_opt_out(NUMBER, opted_out=True, source=OptOut.Source.KEYWORD, detail="STOP")
    assert set_opt_out(NUMBER, opted_out=True, source=OptOut.Source.KEYWORD, detail="STOP") is None
    assert set_opt_out(OTHER, opted_out=False, source=OptOut.Source.KEYWORD, detail="YES") is None
    assert ConsentEvent.objects.count() == 1
    assert not OptOut.objects.filter(phone_number=OTHER).exists()
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.OPTED_OUT).count() == 2


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        (OptOut.Source.PHRASE, "replied “{}…”"),
        (OptOut.Source.MANUAL, "asked a recruiter: “{}…”"),
    ],
)
def test_a_long_reason_is_quoted_to_100_characters(source, shown):
    from sms.optouts import how_opted_out

    said = "please do not text me again about this or any other job " * 3
    opt_out = OptOut(phone_number=NUMBER, opted_out=True, source=source, detail=said)
    assert how_opted_out(opt_out) == shown.format(" ".join(said.split())[:99])


def changed_at_of(number):
    return set(Thread.objects.filter(phone_number=number).values_list("changed_at", flat=True))


def test_one_change_has_one_moment(people):
    """On the real clock: the standing's change, its consent on record and the conversations'
    "look again" all carry the moment of the change itself (no later reading of the clock)."""
    set_opt_out(NUMBER, opted_out=True, source=OptOut.Source.KEYWORD, detail="STOP")
    standing = OptOut.objects.get(phone_number=NUMBER)
    assert changed_at_of(NUMBER) == {standing.changed_at}

    set_opt_out(NUMBER, opted_out=False, source=OptOut.Source.KEYWORD, detail="START")
    standing.refresh_from_db()
    assert standing.consent_at == standing.changed_at
    assert changed_at_of(NUMBER) == {standing.changed_at}
