"""Which conversation a message belongs to: one thread per candidate, or per unknown number.

Threads survive provider switches (they are keyed by candidate, not by provider). Replies are
matched by the sender's E.164 number; an unknown number gets its own thread, which can later be
linked to a candidate.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from candidates.models import Candidate
from core.batching import chunks
from core.phone import to_e164_or_none
from sms.models import Direction, Message, Thread, author_name
from sms.text.cleaning import clean, preview


def thread_for_candidate(candidate: Candidate, phone_number: str = "") -> Thread:
    thread, _ = Thread.objects.get_or_create(
        candidate=candidate, defaults={"phone_number": phone_number or candidate.phone}
    )
    return thread


def threads_showing(
    sends: dict[int, tuple[str, str]], *, now, author: str = "Nextal", show: bool = True
) -> dict[int, int]:
    """{candidate id: thread id} for `sends` ({candidate id: (E.164, body)}), in one statement
    (an INSERT … ON CONFLICT (candidate) DO UPDATE): missing threads are created, existing ones
    take the number the message goes to and, with `show`, the message as their latest (a text
    still waiting for its time becomes the latest when it goes out, as a scheduled one does).
    Another request creating the same thread at the same moment is the conflict it resolves."""
    shown = ["last_message_at", "last_message_preview", "last_message_direction"]
    fields = ["phone_number", "changed_at", *([*shown, "last_message_author"] if show else [])]
    threads = Thread.objects.bulk_create(
        [
            Thread(
                candidate_id=pk,
                phone_number=to,
                changed_at=now,
                **(
                    {
                        "last_message_at": now,
                        "last_message_preview": preview(body),
                        "last_message_direction": Direction.OUTBOUND,
                        "last_message_author": author,
                    }
                    if show
                    else {}
                ),
            )
            for pk, (to, body) in sends.items()
        ],
        update_conflicts=True,
        unique_fields=["candidate"],
        update_fields=fields,
        batch_size=1000,
    )
    ids = {thread.candidate_id: thread.pk for thread in threads if thread.pk}
    if len(ids) < len(sends):  # a database that returns no ids from an upsert
        for chunk in chunks(list(sends)):
            rows = Thread.objects.filter(candidate_id__in=chunk).values_list("candidate_id", "pk")
            ids.update(rows)
    return ids


def normalize_sender(raw: str) -> str:
    """E.164 when the sender parses as a phone number (also "61429912603" without its "+"),
    else the cleaned raw value (short codes, alphanumeric senders)."""
    text = clean(raw, 32).strip()
    number = to_e164_or_none(text)
    if number is None and text.isascii() and text.isdigit() and len(text) > 10:
        number = to_e164_or_none("+" + text)
    return number or text


def thread_for_sender(number: str) -> Thread:
    """The thread a message from (or a test message to) `number` belongs to.

    Several candidates can share a number (family phones, duplicates): the reply goes to the one
    with the most recent conversation (thread `last_message_at`), then the most recently added
    candidate. A number that matches no candidate gets its own "Unknown sender" thread (one per
    number), which can later be linked to a candidate.
    """
    if number.startswith("+"):
        candidate = (
            Candidate.objects.filter(phone=number)
            .order_by(F("sms_thread__last_message_at").desc(nulls_last=True), "-created_at", "-pk")
            .first()
        )
        if candidate is not None:
            return thread_for_candidate(candidate, number)
    thread, _ = Thread.objects.get_or_create(candidate=None, phone_number=number or "unknown")
    return thread


@transaction.atomic
def link_unknown_sender(thread: Thread, candidate: Candidate) -> Thread:
    """Attach an Unknown-sender thread to a candidate; returns the candidate's thread.

    If the candidate already has a thread, the unknown sender's messages move into it (one
    conversation per candidate) and the unknown thread is removed.
    """
    thread = Thread.objects.select_for_update().get(pk=thread.pk, candidate__isnull=True)
    target = Thread.objects.select_for_update().filter(candidate=candidate).first()
    now = timezone.now()
    if target is None:
        thread.candidate = candidate
        thread.changed_at = now
        thread.save(update_fields=["candidate", "changed_at"])
        return thread
    Message.objects.filter(thread=thread).update(thread=target)
    target.absorb_summary(thread, now=now)
    thread.delete()
    return target


def mark_thread_read(thread: Thread) -> None:
    """The recruiter has seen the conversation: clear its unread count."""
    if thread.unread_count:
        now = timezone.now()
        Thread.objects.filter(pk=thread.pk).mark_read(now=now)
        thread.unread_count, thread.changed_at = 0, now


def card_line(message: Message) -> str:
    """An outbound message as a preview line names its sender: "Riley: See you Monday"."""
    return f"{author_name(message.sent_by)}: {preview(message.body)}"
