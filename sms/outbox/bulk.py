"""Bulk sends: one SMS per selected candidate, merge fields filled in for each.

`plan_bulk` decides who gets which text, who is held for quiet hours until when, and who is
skipped and why (the preview shows it), asking `sms.eligibility` the same questions as a single
send; `queue_bulk` writes the plan in one transaction: threads, messages, their summaries and
the timeline entries in a handful of statements, and a single on-commit callback that hands
every task that may go now to a background publisher (`publishing.publish_in_background`), so
the request returns as soon as the rows are committed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from candidates.models import Application, Candidate, TimelineEvent
from candidates.services import record_events
from core.batching import chunks
from core.bulk_insert import insert_alike
from core.phone import to_e164_or_none
from sms.attachments.outgoing import attach_staged
from sms.eligibility import (
    Hold,
    Purpose,
    SendingBlock,
    active_integration,
    decide,
    destination_block,
    provider_block,
    recipient_facts_for,
)
from sms.models import BulkSend, Direction, Message, MessageStatus, SmsTemplate, author_name
from sms.outbox.publishing import publish_in_background
from sms.outbox.queueing import SendRefused, hold_fields
from sms.policy import current_policy
from sms.text import fill_ins, merge
from sms.text.languages import language_name, pick_version
from sms.text.rules import MAX_BODY_CHARS, body_problems
from sms.text.segments import measure
from sms.threads import threads_showing

# How the preview groups skips: "2 skipped: 1 opted out, 1 at the frequency cap".
BLOCK_CATEGORIES = {
    SendingBlock.PHONE: "without a valid phone",
    SendingBlock.DESTINATION: "the sender cannot text",
    SendingBlock.OPTED_OUT: "opted out",
    SendingBlock.NO_CONSENT: "with no consent on record",
    SendingBlock.CAPPED: "at the frequency cap",
}


@dataclass
class BulkPlan:
    """Who a bulk send reaches with which body, who is held for quiet hours (and until when),
    and who is skipped and why."""

    sends: list[tuple[Candidate, str, str]] = field(default_factory=list)  # (cand, to, body)
    holds: dict[int, Hold] = field(default_factory=dict)  # {candidate id: hold} among sends
    skipped: list[dict] = field(default_factory=list)  # {"candidate_id", "name", "reason"}
    skipped_by_category: Counter = field(default_factory=Counter)
    # With a template in several languages: who gets which version.
    template_for: dict[int, object] = field(default_factory=dict)  # {candidate id: template}
    languages: Counter = field(default_factory=Counter)  # {language name: sends}
    fallbacks: Counter = field(default_factory=Counter)  # {preferred language name: sends}
    fallback_language: str = ""

    @property
    def language_summary(self) -> str:
        """ "2 in French, 3 in English (1 prefers German: no German version, sent in English)" """
        if len(self.languages) < 2 and not self.fallbacks:
            return ""
        text = ", ".join(f"{n} in {name}" for name, n in self.languages.most_common())
        if self.fallbacks:
            missing = "; ".join(
                f"{n} prefer{'s' if n == 1 else ''} {name}: no {name} version"
                for name, n in self.fallbacks.most_common()
            )
            text += f" ({missing}, sent in {self.fallback_language})"
        return text

    @property
    def send_count(self) -> int:
        return len(self.sends)

    @property
    def held_summary(self) -> str:
        """ "3 held until 08:00 their time" (or "… for quiet hours" when openings differ)."""
        if not self.holds:
            return ""
        openings = {hold.local_until.strftime("%H:%M") for hold in self.holds.values()}
        when = f"until {openings.pop()} their time" if len(openings) == 1 else "for quiet hours"
        return f"{len(self.holds)} held {when}"

    @property
    def summary(self) -> str:
        """e.g. "12 will be sent, 2 skipped: 1 opted out, 1 without a valid phone", or with
        quiet hours "9 will be sent now, 3 held until 08:00 their time, 2 skipped: …"."""
        text = f"{self.send_count} will be sent"
        if self.holds:
            now = self.send_count - len(self.holds)
            text = (f"{now} will be sent now, " if now else "") + self.held_summary
        if self.skipped:
            parts = ", ".join(f"{n} {cat}" for cat, n in self.skipped_by_category.most_common())
            text += f", {len(self.skipped)} skipped: {parts}"
        return text

    def skip(self, candidate: Candidate, category: str, reason: str) -> None:
        self.skipped.append(
            {"candidate_id": candidate.pk, "name": candidate.full_name, "reason": reason}
        )
        self.skipped_by_category[category] += 1


def translations_of(template) -> dict:
    """{language: version} of a template in several languages (the template itself, its
    translation group's original and the group's other active versions); {} otherwise."""
    if template is None:
        return {}
    root_id = template.translation_of_id or template.pk
    family = SmsTemplate.objects.filter(
        Q(pk=root_id) | Q(translation_of_id=root_id), is_active=True
    ).exclude(pk=template.pk)
    versions = {version.language: version for version in family}
    if not versions:
        return {}
    versions[template.language] = template
    return versions


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


def plan_bulk(
    candidates,
    body_template: str,
    *,
    sent_by,
    job=None,
    now=None,
    purpose: Purpose = Purpose.BULK,
    at=None,
    template=None,
    fill_values: dict[str, str] | None = None,
) -> BulkPlan:
    """What `queue_bulk` would do, without writing anything. Raises SendRefused when nobody can
    be texted at all (a bad body, SMS turned off). Automation plans its texts here too
    (`purpose` AUTOMATED, `at` when they are due). With `template` (its body unchanged) in
    several languages, each candidate gets the version in their preferred language, else
    `body_template`, the template's own. `fill_values` completes `{fill-in}` blanks, once for
    everyone (in every version); a blank left refuses the whole send."""
    problems = body_problems(body_template, check_length=False)
    if problems:
        raise SendRefused(problems[0], field="body")
    fill_values = fill_values or {}
    body_template = fill_ins.fill(body_template.strip(), fill_values)
    versions = translations_of(template)
    for text in [body_template, *(version.body for version in versions.values())]:
        unfilled = fill_ins.unfilled_problem(fill_ins.fill(text, fill_values), bulk=True)
        if unfilled:
            raise SendRefused(unfilled, field="body")
    integration = active_integration()
    block = provider_block(integration)
    if block:
        raise SendRefused(block.reason)
    now = now or timezone.now()
    policy = current_policy()
    candidates = list(dict.fromkeys(candidates))
    numbers = {c.pk: to_e164_or_none(c.phone) for c in candidates if c.phone}
    facts = recipient_facts_for(candidates, numbers, now=now, purpose=purpose)
    jobs = {}
    if job is None and "job_title" in merge.used_fields(body_template):
        jobs = latest_jobs([c.pk for c in candidates])

    plan = BulkPlan(fallback_language=language_name(template.language) if versions else "")
    seen_numbers: dict[str, str] = {}
    for candidate in candidates:
        number = numbers.get(candidate.pk)
        block = destination_block(integration, number)
        if block:
            plan.skip(candidate, BLOCK_CATEGORIES[block.kind], block.reason)
            continue
        check = decide(
            candidate,
            number,
            facts[candidate.pk],
            purpose=purpose,
            at=at or now,
            now=now,
            policy=policy,
        )
        if check.block:
            plan.skip(candidate, BLOCK_CATEGORIES[check.block.kind], check.block.reason)
            continue
        if number in seen_numbers:
            reason = f"Same phone number as {seen_numbers[number]}, who gets this message."
            plan.skip(candidate, "sharing a number", reason)
            continue
        version = pick_version(versions, candidate.preferred_language)
        try:
            body = merge.render(
                fill_ins.fill(version.body.strip(), fill_values)
                if version is not None
                else body_template,
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
        if versions:
            chosen = version or template
            plan.template_for[candidate.pk] = chosen
            plan.languages[language_name(chosen.language)] += 1
            if version is None and candidate.preferred_language:
                plan.fallbacks[language_name(candidate.preferred_language)] += 1
        if check.hold is not None:
            plan.holds[candidate.pk] = check.hold
    return plan


def queue_bulk(
    candidates,
    body_template: str,
    *,
    sent_by,
    job=None,
    template=None,
    fill_values=None,
    attachment=None,
) -> BulkSend:
    """One SMS per candidate (merge fields rendered for each), queued in one transaction.

    Candidates who cannot be texted are skipped with a reason (in `BulkSend.skipped`). The
    messages go in as one insert (`core.bulk_insert`: what they share prepared once) and a
    single on-commit callback starts publishing their tasks in the background (the sweeper
    publishes whatever that does not).
    Raises SendRefused when nobody can be texted at all (empty body, SMS turned off).
    """
    now = timezone.now()
    plan = plan_bulk(
        candidates,
        body_template,
        sent_by=sent_by,
        job=job,
        now=now,
        template=unchanged_template(template, body_template),
        fill_values=fill_values,
    )
    with transaction.atomic():
        bulk = BulkSend.objects.create(
            created_by=sent_by,
            job=job,
            template=template,
            body=fill_ins.fill(body_template.strip(), fill_values or {}),
            queued_count=plan.send_count,
            skipped=plan.skipped,
        )
        by_candidate = {c.pk: (c, to, body) for c, to, body in plan.sends}
        threads = threads_showing(
            {pk: (to, body) for pk, (_, to, body) in by_candidate.items()},
            now=now,
            author=author_name(sent_by),
        )
        segments = {body: measure(body).segments for _, _, body in by_candidate.values()}
        not_held = {"held_for": "", "recipient_zone": "", "next_attempt_at": None}
        insert_alike(
            Message,
            {
                "direction": Direction.OUTBOUND,
                "status": MessageStatus.QUEUED,
                "sent_by": sent_by,
                "bulk_send": bulk,
                "job": job,
                "cancel_if_reply": True,  # when held for quiet hours, a reply cancels it
            },
            [
                {
                    "thread_id": threads[pk],
                    "body": body,
                    "to_number": to,
                    "segments": None if attachment else segments[body],
                    "template_id": getattr(plan.template_for.get(pk, template), "pk", None),
                    **not_held,
                    "enqueued_at": now,
                    **hold_fields(plan.holds.get(pk)),
                }
                for pk, (_, to, body) in by_candidate.items()
            ],
        )
        queued = Message.objects.filter(bulk_send=bulk).order_by("pk")
        if attachment is not None:  # one stored file, an attachment row per message
            attach_staged(list(queued.values_list("pk", flat=True)), attachment)
        message_ids = list(queued.filter(held_for="").values_list("pk", flat=True))
        _record_on_timelines(plan, bulk, by=sent_by)
        # The request returns once the rows are committed; publishing goes on behind it.
        transaction.on_commit(lambda: publish_in_background(message_ids))
    return bulk


def unchanged_template(template, body: str):
    """`template` when the text is its own, unedited (then its translations may be used)."""

    def same(text: str) -> str:  # browsers post textareas with CRLF line breaks
        return (text or "").replace("\r\n", "\n").strip()

    if template is not None and same(template.body) == same(body):
        return template
    return None


def _record_on_timelines(plan: BulkPlan, bulk: BulkSend, *, by) -> None:
    """Every candidate who was skipped or held says so on their timeline, with the reason."""
    entries = [
        (
            skipped["candidate_id"],
            TimelineEvent.Kind.SMS_SKIPPED,
            f"Not texted in a bulk send: {skipped['reason']}",
            {"bulk_send_id": bulk.pk},
        )
        for skipped in plan.skipped
    ]
    first_names = {candidate.pk: candidate.first_name for candidate, _, _ in plan.sends}
    entries += [
        (
            candidate_id,
            TimelineEvent.Kind.SMS_HELD,
            f"{hold.describe(first_names[candidate_id])}: bulk send, {hold.zone.name} "
            f"({hold.zone.source_label})",
            {"bulk_send_id": bulk.pk, "until": hold.until.isoformat(), "zone": hold.zone.name},
        )
        for candidate_id, hold in plan.holds.items()
    ]
    record_events(entries, by=by)
