"""Unknown senders becoming candidates: create one from the thread, or link the thread to an
existing one (optionally making the number their phone, the old one kept on the timeline),
and undo a link.

A link is recorded (`SenderLink`: which messages moved, whether the phone changed) so that
undo can put the messages back in an Unknown-sender thread and restore the phone.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from candidates.models import Candidate, TimelineEvent
from candidates.services import actor_name, create_candidate, record_event
from sms.models import Direction, Message, SenderLink, Thread
from sms.text.cleaning import preview
from sms.threads import link_unknown_sender


@transaction.atomic
def link_sender(
    thread: Thread, candidate: Candidate, *, by, update_phone: bool = False, created=False
) -> tuple[Thread, SenderLink]:
    """Link an Unknown-sender thread to `candidate`; returns (their thread, the link)."""
    number = thread.phone_number
    message_ids = list(Message.objects.filter(thread=thread).values_list("pk", flat=True))
    merged = Thread.objects.filter(candidate=candidate).exists()
    previous_phone = ""
    if update_phone and candidate.phone != number:
        previous_phone = candidate.phone
        Candidate.objects.filter(pk=candidate.pk).update(phone=number, updated_at=timezone.now())
        candidate.phone = number
        record_event(
            candidate,
            TimelineEvent.Kind.UPDATED,
            f"Phone changed from {previous_phone or 'none'} to {number} by {actor_name(by)} "
            "when linking an SMS conversation",
            by=by,
            data={"fields": ["phone"], "previous_phone": previous_phone, "phone": number},
        )
    linked = link_unknown_sender(thread, candidate)
    if previous_phone or not candidate.phone:
        Thread.objects.filter(pk=linked.pk).update(phone_number=number)
    link = SenderLink.objects.create(
        candidate=candidate,
        phone_number=number,
        thread=linked,
        message_ids=message_ids,
        merged=merged,
        previous_phone=previous_phone,
        created_candidate=created,
        linked_by=by,
    )
    record_event(
        candidate,
        TimelineEvent.Kind.UPDATED,
        f"SMS conversation with {number} linked by {actor_name(by)}",
        by=by,
        data={"sender_link": link.pk, "messages": len(message_ids)},
    )
    return linked, link


@transaction.atomic
def create_candidate_from_thread(thread: Thread, *, by, **fields):
    """A new candidate with the thread's number; the thread becomes theirs.
    Returns (candidate, their thread, the link)."""
    candidate = create_candidate(by=by, **{**fields, "phone": fields.get("phone") or ""})
    linked, link = link_sender(thread, candidate, by=by, created=True)
    return candidate, linked, link


def latest_link(thread: Thread) -> SenderLink | None:
    """The link that made this thread a candidate's, while it can be undone."""
    return (
        SenderLink.objects.filter(thread=thread, undone_at__isnull=True)
        .select_related("linked_by")
        .first()
    )


@transaction.atomic
def undo_link(link: SenderLink, *, by) -> Thread:
    """Put the linked messages back in an Unknown-sender thread, restore the phone."""
    link = SenderLink.objects.select_for_update().get(pk=link.pk, undone_at__isnull=True)
    now = timezone.now()
    candidate = link.candidate
    if link.previous_phone:
        Candidate.objects.filter(pk=candidate.pk).update(phone=link.previous_phone, updated_at=now)
    unknown = Thread.objects.filter(candidate__isnull=True, phone_number=link.phone_number).first()
    if not link.merged and link.thread_id and unknown is None:
        # The unknown thread itself became the candidate's: it goes back to nobody.
        Thread.objects.filter(pk=link.thread_id).update(
            candidate=None, phone_number=link.phone_number, changed_at=now
        )
        unknown = Thread.objects.get(pk=link.thread_id)
    else:
        if unknown is None:
            unknown = Thread.objects.create(candidate=None, phone_number=link.phone_number)
        Message.objects.filter(pk__in=link.message_ids, thread_id=link.thread_id).update(
            thread=unknown
        )
        for thread_id in (unknown.pk, link.thread_id):
            resummarize(thread_id, now=now)
    link.undone_at = now
    link.save(update_fields=["undone_at"])
    restored = f"; phone back to {link.previous_phone}" if link.previous_phone else ""
    record_event(
        candidate,
        TimelineEvent.Kind.UPDATED,
        f"Link of the SMS conversation with {link.phone_number} undone by {actor_name(by)}"
        + restored,
        by=by,
        data={"sender_link": link.pk, "previous_phone": link.previous_phone},
    )
    return unknown


def resummarize(thread_id: int | None, *, now) -> None:
    """A thread's summary from its messages again, after messages moved out of or into it."""
    if thread_id is None:
        return
    latest = Message.objects.filter(thread_id=thread_id).order_by("-created_at", "-id").first()
    last_inbound = Message.objects.filter(
        thread_id=thread_id, direction=Direction.INBOUND
    ).aggregate(at=Max("created_at"))["at"]
    Thread.objects.filter(pk=thread_id).update(
        last_message_at=latest.created_at if latest else now,
        last_message_preview=preview(latest.body) if latest else "",
        last_message_direction=latest.direction if latest else "",
        last_inbound_at=last_inbound,
        changed_at=now,
    )
