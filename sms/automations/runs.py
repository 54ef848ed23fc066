"""What a stage change does to automated texts: queue each enabled rule's text for every card
that entered the stage, and cancel what is still waiting for the cards that left.

Runs inside the move's transaction (`candidates.pipeline_hooks.enter_stage`), so texts exist
exactly when the move does. Each entry gets each rule's text at most once: the message row
carries (stage entry, rule), unique in the database. A text goes through the same outbox as any
other: merge fields from the application's job, opt-out, consent, the frequency cap and quiet
hours (judged at the moment it is due) apply, a skip is explained on the timeline, and the send
tasks are published after the move commits. A delayed text waits in the outbox
(`next_attempt_at`) and the sweeper dispatches it when due.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from candidates.models import TimelineEvent
from candidates.services import actor_name, record_events
from sms.automation_models import AutomationRule
from sms.eligibility import Purpose
from sms.models import Direction, Message, MessageStatus, Thread
from sms.outbox.bulk import plan_bulk
from sms.outbox.publishing import publish_in_background
from sms.outbox.queueing import SendRefused, hold_fields
from sms.text.languages import base, language_name
from sms.text.segments import measure
from sms.threads import threads_showing

LEFT_STAGE = "left_stage"


def on_stage_change(entered, left, *, by) -> None:
    """The stage listener (registered in SmsConfig.ready)."""
    if left:
        cancel_for_left(left)
    if entered:
        queue_for_entries(entered, by=by)


def rule_label(rule: AutomationRule, job) -> str:
    """ "Interview invite" (Senior Backend Engineer, Riley's job)"""
    owner = f", {actor_name(job.recruiter).split()[0]}'s job" if job.recruiter_id else ""
    return f'"{rule.name}" ({job.title}{owner})'


def queue_for_entries(entries, *, by) -> int:
    """Queue every enabled rule's text for these new stage entries; returns how many."""
    by_stage = defaultdict(list)
    for entry in entries:
        by_stage[entry.stage_id].append(entry)
    rules = (
        AutomationRule.objects.filter(stage_id__in=by_stage, is_enabled=True)
        .select_related("template", "job__recruiter", "stage")
        .order_by("delay_minutes", "pk")
    )
    queued = 0
    for rule in rules:
        queued += _queue_rule(rule, by_stage[rule.stage_id], by=by)
    return queued


def _queue_rule(rule: AutomationRule, entries, *, by) -> int:
    job, now = rule.job, timezone.now()
    due = now + timedelta(minutes=rule.delay_minutes)
    label = rule_label(rule, job)
    candidates = [entry.application.candidate for entry in entries]
    entry_of = {entry.application.candidate_id: entry for entry in entries}
    sender = job.recruiter or by
    timeline = []
    try:
        if not rule.template.is_active:
            raise SendRefused(f"the template “{rule.template.name}” is switched off.")
        plan = plan_bulk(
            candidates,
            rule.template.body,
            sent_by=sender,
            job=job,
            now=now,
            purpose=Purpose.AUTOMATED,
            at=due,
            template=rule.template,
        )
    except SendRefused as refused:
        text = f"Stage SMS not sent by rule {label}: {refused.reason}"
        data = {"automation_rule_id": rule.pk}
        record_events(
            ((c.pk, TimelineEvent.Kind.SMS_SKIPPED, text, data) for c in candidates), by=by
        )
        return 0
    timeline += [
        (
            skipped["candidate_id"],
            TimelineEvent.Kind.SMS_SKIPPED,
            f"Stage SMS not sent by rule {label}: {skipped['reason']}",
            {"automation_rule_id": rule.pk},
        )
        for skipped in plan.skipped
    ]
    delayed = rule.delay_minutes > 0
    threads = threads_showing(
        {c.pk: (to, body) for c, to, body in plan.sends}, now=now, show=not delayed
    )
    rows = []
    for candidate, to, body in plan.sends:
        hold = plan.holds.get(candidate.pk)
        timing = {"next_attempt_at": due, "enqueued_at": None} if delayed else {"enqueued_at": now}
        rows.append(
            Message(
                thread_id=threads[candidate.pk],
                direction=Direction.OUTBOUND,
                status=MessageStatus.QUEUED,
                body=body,
                to_number=to,
                segments=measure(body).segments,
                sent_by=sender,
                template=plan.template_for.get(candidate.pk, rule.template),
                job=job,
                automation_rule=rule,
                stage_entry=entry_of[candidate.pk],
                cancel_if_reply=rule.cancel_if_reply,
                scheduled_for=due if delayed else None,
                **{**timing, **hold_fields(hold)},
            )
        )
        when = _language_note(plan, candidate)
        when += f", goes out in {rule.delay_label}" if delayed else ""
        if hold is not None:
            held = hold.describe(candidate.first_name)
            when = f"{_language_note(plan, candidate)}, {held[0].lower()}{held[1:]}"
        timeline.append(
            (
                candidate.pk,
                TimelineEvent.Kind.SMS_HELD if hold else TimelineEvent.Kind.SMS_QUEUED,
                f"Automated SMS queued by rule {label}{when}",
                {"automation_rule_id": rule.pk, "stage_entry_id": entry_of[candidate.pk].pk},
            )
        )
    Message.objects.bulk_create(rows, batch_size=1000)
    record_events(timeline, by=by)
    if not delayed:
        ready = [row.pk for row in rows if not row.held_for]
        if ready:  # the move's request does not wait for the broker
            transaction.on_commit(lambda: publish_in_background(ready))
    return len(rows)


def _language_note(plan, candidate) -> str:
    """ ", in French" (or ", in English: no German version") for a template in several
    languages."""
    chosen = plan.template_for.get(candidate.pk)
    if chosen is None:
        return ""
    note = f", in {language_name(chosen.language)}"
    preferred = candidate.preferred_language
    if preferred and base(preferred) != base(chosen.language):
        note += f": no {language_name(preferred)} version"
    return note


def cancel_for_left(entries) -> int:
    """Cards that left a stage do not get its texts that are still waiting (a send task that
    already claimed one wins: both are conditional UPDATEs of the queued row)."""
    stage_names = {entry.pk: entry.stage.name for entry in entries}
    waiting = Message.objects.filter(
        stage_entry_id__in=list(stage_names), status=MessageStatus.QUEUED
    )
    ids = list(waiting.values_list("pk", flat=True))
    if not ids:
        return 0
    now = timezone.now()
    Message.objects.filter(pk__in=ids, status=MessageStatus.QUEUED).update(
        status=MessageStatus.CANCELED,
        next_attempt_at=None,
        error_code=LEFT_STAGE,
        error_message="Cancelled — moved out of the stage before it went out.",
        updated_at=now,
    )
    canceled = list(
        Message.objects.filter(
            pk__in=ids, status=MessageStatus.CANCELED, error_code=LEFT_STAGE
        ).select_related("automation_rule", "thread")
    )
    record_events(
        (
            message.thread.candidate_id,
            TimelineEvent.Kind.SMS_CANCELED,
            f"Automated SMS{_by_rule(message)} cancelled: moved out of "
            f"{stage_names[message.stage_entry_id]} before it went out",
            {"message_id": message.pk},
        )
        for message in canceled
        if message.thread.candidate_id
    )
    Thread.objects.filter(pk__in={m.thread_id for m in canceled}).refresh_preview(now=now)
    return len(canceled)


RULE_STOPPED = "rule_stopped"


def cancel_pending_for_rule(rule: AutomationRule, *, why: str) -> int:
    """A rule switched off or deleted sends nothing more: its texts still waiting are cancelled
    ("Cancelled — the automation “Nudge” was switched off")."""
    ids = list(
        Message.objects.filter(automation_rule=rule, status=MessageStatus.QUEUED).values_list(
            "pk", flat=True
        )
    )
    if not ids:
        return 0
    now = timezone.now()
    reason = f"Cancelled — the automation “{rule.name}” was {why}."
    Message.objects.filter(pk__in=ids, status=MessageStatus.QUEUED).update(
        status=MessageStatus.CANCELED,
        next_attempt_at=None,
        error_code=RULE_STOPPED,
        error_message=reason,
        updated_at=now,
    )
    canceled = Message.objects.filter(pk__in=ids, error_code=RULE_STOPPED).values_list(
        "pk", "thread_id", "thread__candidate_id"
    )
    canceled = list(canceled)
    record_events(
        (candidate_id, TimelineEvent.Kind.SMS_CANCELED, reason, {"message_id": pk})
        for pk, _, candidate_id in canceled
        if candidate_id
    )
    Thread.objects.filter(pk__in={thread_id for _, thread_id, _ in canceled}).refresh_preview(
        now=now
    )
    return len(canceled)


def _by_rule(message) -> str:
    return f' by rule "{message.automation_rule.name}"' if message.automation_rule else ""
