"""Whose conversation it is, and its state: assigned, closed, snoozed, unread.

A conversation without an assignee gets one when a reply arrives: the recruiter of the
job of the candidate's most recent application, else whoever last texted them. Anyone may
reassign it; each change is on the candidate's timeline. A reply reopens a closed conversation
and brings back a snoozed one (`ThreadQuerySet.show_message`); the sweeper brings back snoozed
conversations whose time has come (`wake_snoozed`).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from candidates.models import Application, TimelineEvent
from candidates.services import actor_name, record_event
from sms.models import Direction, Message, Thread


def default_assignee_id(thread: Thread) -> int | None:
    """The recruiter of the candidate's most recent application's job, else the last sender."""
    if thread.candidate_id:
        recruiter = (
            Application.objects.filter(
                candidate_id=thread.candidate_id, job__recruiter__isnull=False
            )
            .order_by("-created_at", "-id")
            .values_list("job__recruiter_id", flat=True)
            .first()
        )
        if recruiter:
            return recruiter
    return (
        Message.objects.filter(thread=thread, direction=Direction.OUTBOUND, sent_by__isnull=False)
        .order_by("-created_at", "-id")
        .values_list("sent_by_id", flat=True)
        .first()
    )


def assign_by_default(thread: Thread) -> None:
    """On a reply: give an unassigned conversation its default assignee (if there is one)."""
    if thread.assigned_to_id:
        return
    assign_if_unassigned(thread, default_assignee_id(thread))


def assign_if_unassigned(thread: Thread, assignee: int | None) -> None:
    """Give the conversation `assignee` (its default assignee, read by the caller) unless it
    has one."""
    if assignee and not thread.assigned_to_id:
        Thread.objects.filter(pk=thread.pk, assigned_to__isnull=True).update(assigned_to=assignee)
        thread.assigned_to_id = assignee


def assign(thread: Thread, assignee, *, by) -> bool:
    """Reassign (None: unassign); recorded on the candidate's timeline. False if unchanged."""
    new_id = assignee.pk if assignee is not None else None
    if thread.assigned_to_id == new_id:
        return False
    Thread.objects.filter(pk=thread.pk).update(assigned_to=new_id, changed_at=timezone.now())
    thread.assigned_to_id = new_id
    if thread.candidate_id:
        whom = actor_name(assignee) if assignee is not None else "nobody"
        record_event(
            thread.candidate_id,
            TimelineEvent.Kind.UPDATED,
            f"SMS conversation assigned to {whom} by {actor_name(by)}",
            by=by,
            data={"assigned_to": new_id},
        )
    return True


def close(thread: Thread, *, by) -> None:
    now = timezone.now()
    Thread.objects.filter(pk=thread.pk).update(closed_at=now, snoozed_until=None, changed_at=now)
    _note(thread, f"SMS conversation closed by {actor_name(by)}", by)


def reopen(thread: Thread, *, by) -> None:
    Thread.objects.filter(pk=thread.pk).update(closed_at=None, changed_at=timezone.now())
    _note(thread, f"SMS conversation reopened by {actor_name(by)}", by)


def snooze(thread: Thread, until, *, by) -> None:
    Thread.objects.filter(pk=thread.pk).update(snoozed_until=until, changed_at=timezone.now())
    when = timezone.localtime(until)
    _note(thread, f"SMS conversation snoozed until {when:%b} {when.day}, {when:%H:%M}", by)


def mark_unread(thread: Thread) -> None:
    Thread.objects.filter(pk=thread.pk).update(
        unread_count=Greatest(F("unread_count"), 1), changed_at=timezone.now()
    )


def wake_snoozed(*, now=None) -> int:
    """The sweeper: snoozed conversations whose time has come are back in the lists."""
    now = now or timezone.now()
    return Thread.objects.filter(snoozed_until__lte=now).update(snoozed_until=None, changed_at=now)


def assignable_users():
    """Everyone a conversation can be given to: active staff with access to the inbox."""
    users = get_user_model().objects.filter(is_active=True)
    inbox = Q(groups__permissions__codename="view_inbox") | Q(
        user_permissions__codename="view_inbox"
    )
    return (
        users.filter(inbox | Q(is_superuser=True))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _note(thread: Thread, text: str, by) -> None:
    if thread.candidate_id:
        record_event(thread.candidate_id, TimelineEvent.Kind.UPDATED, text, by=by)
