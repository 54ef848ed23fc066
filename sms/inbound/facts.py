"""What processing a batch of inbound events needs to know, read for the whole batch at once.

Recording one reply asks the database a dozen questions (is it stored already, whose number is
it, which thread, what did it answer, does anything wait for a reply, who gets the conversation,
is there consent on record); asked per event they were most of a batch's time. `load` asks
them for every sender of a batch in five queries, and `ingest.record_inbound` uses the answers.

The answers are for the first event of each sender in the batch only (a later one of the same
number sees what the first changed, so it asks again), and they are a fast path, not a
guarantee: a concurrent writer (another worker storing the same reply, a recruiter opening the
same thread) makes the fast path's insert fail on a unique constraint, and processing applies
that event again without them (`processing._apply`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, Subquery

from candidates.models import Application, Candidate
from sms.models import ConsentEvent, Direction, Message, MessageStatus, ProviderEvent, Thread
from sms.outbox.reply_cancels import WAITING_FOR_CANDIDATE
from sms.text.cleaning import clean
from sms.threads import normalize_sender


@dataclass(frozen=True)
class SenderFacts:
    """What `record_inbound` needs to know about one reply's sender and thread."""

    stored: bool  # a message with this provider id exists (record_inbound looks it up)
    candidate_id: int | None  # whose thread it goes to (None: an Unknown-sender thread)
    # The thread (annotated, see `_threads`), or None: there is none yet, the reply creates it.
    thread: Thread | None
    has_ledger: bool  # the number has consent ledger entries
    default_assignee_id: int | None  # who gets the conversation if it is unassigned


def load(events: list[ProviderEvent], decode) -> dict[int, SenderFacts]:
    """Facts for the first inbound event of each sender among `events`, by event id.
    `decode(event)` is the normalized event (an event it cannot decode gets none)."""
    firsts: dict[str, tuple[ProviderEvent, str]] = {}  # sender -> (event, provider message id)
    for event in events:
        if event.kind != ProviderEvent.Kind.INBOUND:
            continue
        try:
            inbound = decode(event)
            sender = normalize_sender(inbound.from_number)
            message_id = clean(inbound.provider_message_id, 64) or ""
        except Exception:  # noqa: S112 - processing the event records why it cannot be read
            continue
        firsts.setdefault(sender, (event, message_id))
    if not firsts:
        return {}

    stored = set(
        Message.objects.filter(
            provider_message_id__in=[mid for _, mid in firsts.values() if mid]
        ).values_list("provider", "provider_message_id")
    )
    candidate_of = _candidates([number for number in firsts if number.startswith("+")])
    unknown = [number or "unknown" for number in firsts if number not in candidate_of]
    threads = _threads(list(candidate_of.values()), unknown)
    by_candidate = {t.candidate_id: t for t in threads if t.candidate_id}
    by_number = {t.phone_number: t for t in threads if not t.candidate_id}
    ledger = set(
        ConsentEvent.objects.filter(phone_number__in=list(firsts))
        .values_list("phone_number", flat=True)
        .distinct()
    )
    unassigned = [
        cid
        for cid in candidate_of.values()
        if cid not in by_candidate or not by_candidate[cid].assigned_to_id
    ]
    recruiter_of = _recruiters(unassigned)

    facts = {}
    for number, (event, message_id) in firsts.items():
        candidate_id = candidate_of.get(number)
        if candidate_id:
            thread = by_candidate.get(candidate_id)
        else:
            thread = by_number.get(number or "unknown")
        assignee = recruiter_of.get(candidate_id) if candidate_id else None
        if assignee is None and thread is not None:
            assignee = thread.last_sender_id
        facts[event.pk] = SenderFacts(
            stored=(event.provider, message_id) in stored,
            candidate_id=candidate_id,
            thread=thread,
            has_ledger=number in ledger,
            default_assignee_id=assignee,
        )
    return facts


def _candidates(numbers: list[str]) -> dict[str, int]:
    """Each number's candidate as `threads.thread_for_sender` chooses it: the most recent
    conversation, then the most recently added candidate."""
    if not numbers:
        return {}
    rows = (
        Candidate.objects.filter(phone__in=numbers)
        .order_by(
            "phone",
            F("sms_thread__last_message_at").desc(nulls_last=True),
            "-created_at",
            "-pk",
        )
        .values_list("phone", "pk")
    )
    chosen: dict[str, int] = {}
    for phone, pk in rows:
        chosen.setdefault(phone, pk)
    return chosen


def _threads(candidate_ids: list[int], unknown_numbers: list[str]) -> list[Thread]:
    """The threads, each with what a reply to it needs: whether it has messages and messages
    waiting for a reply, its latest outbound message (what a reply answers) and its last
    sender (the default assignee when no job's recruiter is)."""
    if not candidate_ids and not unknown_numbers:
        return []
    outbound = Message.objects.filter(thread=OuterRef("pk"), direction=Direction.OUTBOUND)
    latest = outbound.order_by("-created_at")
    waiting = outbound.filter(
        WAITING_FOR_CANDIDATE, status=MessageStatus.QUEUED, cancel_if_reply=True
    )
    return list(
        Thread.objects.filter(
            Q(candidate_id__in=candidate_ids)
            | Q(candidate__isnull=True, phone_number__in=unknown_numbers)
        ).annotate(
            has_messages=Exists(Message.objects.filter(thread=OuterRef("pk"))),
            has_waiting=Exists(waiting),
            latest_outbound_id=Subquery(latest.values("pk")[:1]),
            latest_outbound_at=Subquery(latest.values("created_at")[:1]),
            last_sender_id=Subquery(
                outbound.filter(sent_by__isnull=False)
                .order_by("-created_at", "-id")
                .values("sent_by_id")[:1]
            ),
        )
    )


def _recruiters(candidate_ids: list[int]) -> dict[int, int]:
    """The recruiter of each candidate's most recent application's job (`assignment`)."""
    if not candidate_ids:
        return {}
    rows = (
        Application.objects.filter(candidate_id__in=candidate_ids, job__recruiter__isnull=False)
        .order_by("candidate_id", "-created_at", "-id")
        .values_list("candidate_id", "job__recruiter_id")
    )
    chosen: dict[int, int] = {}
    for candidate_id, recruiter_id in rows:
        chosen.setdefault(candidate_id, recruiter_id)
    return chosen
