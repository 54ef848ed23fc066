"""Bulk sends: one SMS per selected candidate, merge fields filled in for each.

`plan_bulk` decides who gets which text and who is skipped and why (the preview shows it);
`queue_bulk` writes the plan in one transaction: threads, messages and their summaries in a
handful of statements, and a single on-commit callback that publishes every task.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from candidates.models import Application, Candidate
from core.batching import chunks
from core.phone import to_e164_or_none
from sms.eligibility import (
    active_integration,
    destination_block,
    number_block,
    phone_block,
    provider_block,
)
from sms.models import BulkSend, Direction, Message, MessageStatus, Thread
from sms.optouts import opted_out_numbers
from sms.outbox.publishing import enqueue_sends
from sms.outbox.queueing import SendRefused
from sms.text import merge
from sms.text.rules import MAX_BODY_CHARS, body_problems
from sms.text.segments import measure


@dataclass
class BulkPlan:
    """Who a bulk send reaches with which body, and who is skipped and why."""

    sends: list[tuple[Candidate, str, str]] = field(default_factory=list)  # (cand, to, body)
    skipped: list[dict] = field(default_factory=list)  # {"candidate_id", "name", "reason"}
    skipped_by_category: Counter = field(default_factory=Counter)

    @property
    def send_count(self) -> int:
        return len(self.sends)

    @property
    def summary(self) -> str:
        """e.g. "12 will be sent, 2 skipped: 1 opted out, 1 without a valid phone"."""
        text = f"{self.send_count} will be sent"
        if self.skipped:
            parts = ", ".join(f"{n} {cat}" for cat, n in self.skipped_by_category.most_common())
            text += f", {len(self.skipped)} skipped: {parts}"
        return text

    def skip(self, candidate: Candidate, category: str, reason: str) -> None:
        self.skipped.append(
            {"candidate_id": candidate.pk, "name": candidate.full_name, "reason": reason}
        )
        self.skipped_by_category[category] += 1


def latest_jobs(candidate_ids) -> dict:
    """{candidate_id: Job} of each candidate's most recent application, in one query."""
    jobs = {}
    for chunk in chunks(candidate_ids):
        applications = (
            Application.objects.filter(candidate_id__in=chunk)
            .select_related("job")
            .order_by("candidate_id", "-created_at", "-id")
        )
        for application in applications:
            jobs.setdefault(application.candidate_id, application.job)
    return jobs


def plan_bulk(candidates, body_template: str, *, sent_by, job=None) -> BulkPlan:
    """What `queue_bulk` would do, without writing anything. Raises SendRefused when nobody can
    be texted at all (a bad body, SMS turned off)."""
    problems = body_problems(body_template, check_length=False)
    if problems:
        raise SendRefused(problems[0], field="body")
    body_template = body_template.strip()
    integration = active_integration()
    block = provider_block(integration)
    if block:
        raise SendRefused(block.reason)
    candidates = list(candidates)
    numbers = {c.pk: to_e164_or_none(c.phone) for c in candidates if c.phone}
    opted_out = opted_out_numbers(numbers.values())
    jobs = {}
    if job is None and "job_title" in merge.used_fields(body_template):
        jobs = latest_jobs([c.pk for c in candidates])

    plan = BulkPlan()
    seen_candidates: set[int] = set()
    seen_numbers: dict[str, str] = {}
    for candidate in candidates:
        if candidate.pk in seen_candidates:
            continue
        seen_candidates.add(candidate.pk)
        number = numbers.get(candidate.pk)
        if number is None:
            plan.skip(candidate, "without a valid phone", phone_block(candidate, number).reason)
            continue
        block = destination_block(integration, number)
        if block:
            plan.skip(candidate, "the sender cannot text", block.reason)
            continue
        if number in opted_out:
            block = number_block(number, candidate.full_name, opted_out[number])
            plan.skip(candidate, "opted out", block.reason)
            continue
        if number in seen_numbers:
            reason = f"Same phone number as {seen_numbers[number]}, who gets this message."
            plan.skip(candidate, "sharing a number", reason)
            continue
        try:
            body = merge.render(
                body_template,
                candidate=candidate,
                job=job or jobs.get(candidate.pk),
                sender=sent_by,
            )
        except merge.MissingMergeValue as missing:
            plan.skip(candidate, "missing a merge field", f"Not sent: {missing.reason}.")
            continue
        if len(body) > MAX_BODY_CHARS:
            reason = f"Too long once filled in ({len(body):,} of {MAX_BODY_CHARS:,} characters)."
            plan.skip(candidate, "too long", reason)
            continue
        seen_numbers[number] = candidate.full_name
        plan.sends.append((candidate, number, body))
    return plan


def queue_bulk(candidates, body_template: str, *, sent_by, job=None, template=None) -> BulkSend:
    """One SMS per candidate (merge fields rendered for each), queued in one transaction.

    Candidates who cannot be texted are skipped with a reason (in `BulkSend.skipped`). Rows are
    bulk-created and a single on-commit callback publishes all their tasks.
    Raises SendRefused when nobody can be texted at all (empty body, SMS turned off).
    """
    plan = plan_bulk(candidates, body_template, sent_by=sent_by, job=job)
    now = timezone.now()
    with transaction.atomic():
        bulk = BulkSend.objects.create(
            created_by=sent_by,
            job=job,
            template=template,
            body=body_template.strip(),
            queued_count=plan.send_count,
            skipped=plan.skipped,
        )
        by_candidate = {c.pk: (c, to, body) for c, to, body in plan.sends}
        # Threads: one per candidate; another request may create one at the same moment.
        Thread.objects.bulk_create(
            [Thread(candidate_id=pk, phone_number=to) for pk, (_, to, _) in by_candidate.items()],
            ignore_conflicts=True,
            batch_size=1000,
        )
        threads = {
            candidate_id: thread_id
            for chunk in chunks(list(by_candidate))
            for candidate_id, thread_id in Thread.objects.filter(
                candidate_id__in=chunk
            ).values_list("candidate_id", "pk")
        }
        Message.objects.bulk_create(
            [
                Message(
                    thread_id=threads[pk],
                    direction=Direction.OUTBOUND,
                    status=MessageStatus.QUEUED,
                    body=body,
                    to_number=to,
                    segments=measure(body).segments,
                    sent_by=sent_by,
                    template=template,
                    bulk_send=bulk,
                    job=job,
                    enqueued_at=now,
                )
                for pk, (_, to, body) in by_candidate.items()
            ],
            batch_size=1000,
        )
        Thread.objects.show_bulk_messages(bulk, at=now)
        message_ids = list(
            Message.objects.filter(bulk_send=bulk).order_by("pk").values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: enqueue_sends(message_ids))
    return bulk
