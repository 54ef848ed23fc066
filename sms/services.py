"""SMS business rules: the outbox (queueing, sending, sweeping) and what providers tell us.

The `Message` row is the outbox. Queueing saves it as `queued` and publishes a task only after the
transaction commits; the task *claims* the row with one conditional UPDATE before calling the
provider, so a redelivered or duplicated task never sends twice. A task lost on the way (broker
down, worker killed) is re-published by the sweeper, which also dispatches scheduled messages and
retries (their time lives in the database, never in long broker countdowns) and moves messages
stuck in `sending` to "outcome unknown".

Ingestion (webhooks) is idempotent on (provider, provider message id), moves statuses only
forward and records opt-outs keyed by phone number. Read-side queries for the inbox and
conversations live in sms/queries.py.
"""

from __future__ import annotations

import logging
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.formats import date_format

from candidates.models import Application, Candidate, TimelineEvent
from integrations.models import Integration, ProviderKind
from nextal.phone import display as display_phone
from nextal.phone import to_e164_or_none
from sms import merge
from sms.models import (
    STATUS_RANK,
    BulkSend,
    Direction,
    Message,
    MessageStatus,
    OptOut,
    Thread,
)
from sms.providers import provider_for
from sms.providers.base import (
    InboundSms,
    OutboundSms,
    ProviderError,
    SendResult,
    StatusEvent,
    public_url,
)
from sms.segments import measure

logger = logging.getLogger(__name__)

MAX_BODY_CHARS = 1600
# Transient failures (429, connection refused) are retried this many attempts in total.
MAX_SEND_ATTEMPTS = 5
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 15 * 60
# A queued message whose task was published this long ago and never claimed: the task was lost
# (e.g. reserved by a worker that was killed). With the 30 s sweep, sends resume within 90 s.
LOST_TASK_AFTER = timedelta(seconds=settings.SMS_LOST_TASK_AFTER_SECONDS)
# Longer than the task's hard time limit: a message still `sending` after this, nobody is sending.
SENDING_DEADLINE = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
SWEEP_BATCH_SIZE = 1000

SMS_TURNED_OFF = "SMS is turned off. Ask an administrator to activate Twilio or ClickSend."
OUTCOME_UNKNOWN = "Outcome unknown: the provider may have sent it. Not resent automatically."

OPT_OUT_KEYWORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
)
OPT_IN_KEYWORDS = frozenset({"START", "YES", "UNSTOP"})
# Status-callback error codes that mean "this recipient has opted out" (a STOP-blocked send
# through a Twilio Messaging Service arrives later as failed with 21610).
OPT_OUT_ERROR_CODES = {ProviderKind.TWILIO: frozenset({"21610"})}
# Providers that call back a per-message status URL (ClickSend uses account-level receipt rules).
STATUS_CALLBACK_ROUTES = {ProviderKind.TWILIO: "sms:twilio_status"}


class SendRefused(Exception):
    """A message that must not be queued; `reason` is shown to the user as is.

    `field` names the form field the reason is about ("body" for the text itself), or None when
    it is about the recipient or the provider (shown above the form).
    """

    def __init__(self, reason: str, *, field: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.field = field


# --- Small helpers -----------------------------------------------------------------------------


def _clean(text, max_length: int | None = None) -> str:
    """Text safe for any column: PostgreSQL refuses NUL characters; varchar has a length."""
    text = str(text or "").replace("\x00", "")
    return text[:max_length] if max_length else text


def _json_safe(value):
    """A provider payload as JSON PostgreSQL accepts (no NUL, only JSON types)."""
    if isinstance(value, dict):
        return {_clean(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # Python's json reads NaN/Infinity; PostgreSQL's json refuses them
    if value is None or isinstance(value, bool | int | float):
        return value
    return _clean(value)


def _chunks(items: list, size: int = 1000):
    """Slices of `items` small enough for any database's limit on query parameters."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _preview(body: str) -> str:
    return " ".join(body.split())[:160]


def _quote(body: str, length: int = 120) -> str:
    text = " ".join(body.split())
    return f"“{text[: length - 1]}…”" if len(text) > length else f"“{text}”"


def _touch_threads(thread_ids, now=None) -> None:
    """Bump `changed_at` (what the UI polls) on the threads of changed messages."""
    Thread.objects.filter(pk__in=list(thread_ids)).update(changed_at=now or timezone.now())


def _advance_status(message_ids, status: str, **fields) -> int:
    """Move messages to `status` only from a lower rank (never backwards); returns rows moved."""
    rank = STATUS_RANK[status]
    lower = [s for s, r in STATUS_RANK.items() if r < rank]
    now = timezone.now()
    return Message.objects.filter(pk__in=list(message_ids), status__in=lower).update(
        status=status, updated_at=now, **fields
    )


# --- Who can be texted ----------------------------------------------------------------------


def active_integration() -> Integration | None:
    return Integration.objects.filter(is_active=True).first()


def _integration_problem(integration: Integration | None) -> str | None:
    """Why the active provider (if any) cannot send right now."""
    if integration is None:
        return SMS_TURNED_OFF
    name = integration.get_kind_display()
    if integration.secret_undecryptable:
        return (
            f"SMS is turned off: the stored {name} credentials can no longer be decrypted. "
            f"Ask an administrator to enter them again."
        )
    if not integration.can_send:
        return (
            f"SMS is turned off: {name} is missing its credentials or sender number. "
            f"Ask an administrator to complete its settings."
        )
    return None


def opt_out_for(phone_number: str) -> OptOut | None:
    """The opt-out in force for this number, if it has opted out."""
    return OptOut.objects.filter(phone_number=phone_number, opted_out=True).first()


def _opted_out_reason(name: str, opt_out: OptOut) -> str:
    when = date_format(timezone.localtime(opt_out.changed_at), "DATE_FORMAT")
    how = f" (replied {opt_out.detail})" if opt_out.source == OptOut.Source.KEYWORD else ""
    return f"{name} opted out of SMS on {when}{how}."


def _phone_problem(candidate: Candidate) -> str | None:
    if not candidate.phone:
        return f"{candidate.full_name} has no phone number."
    if to_e164_or_none(candidate.phone) is None:
        return f"{candidate.full_name}'s phone number {candidate.phone} is not a valid number."
    return None


@dataclass(frozen=True)
class SendingBlock:
    """Why SMS cannot be sent to a candidate: what kind of problem, and the readable reason."""

    PROVIDER = "provider"  # no active provider, or it cannot send
    PHONE = "phone"  # no phone number, or not a valid one
    OPTED_OUT = "opted_out"

    kind: str
    reason: str
    opt_out: OptOut | None = None  # for OPTED_OUT: when and how


def sending_block(candidate: Candidate, *, integration=...) -> SendingBlock | None:
    """Why SMS cannot be sent to this candidate right now (structured), or None if it can.

    `integration` may be passed (even None) when the caller already looked up the active one.
    """
    if integration is ...:
        integration = active_integration()
    problem = _integration_problem(integration)
    if problem:
        return SendingBlock(SendingBlock.PROVIDER, problem)
    problem = _phone_problem(candidate)
    if problem:
        return SendingBlock(SendingBlock.PHONE, problem)
    opt_out = opt_out_for(to_e164_or_none(candidate.phone))
    if opt_out:
        reason = _opted_out_reason(candidate.full_name, opt_out)
        return SendingBlock(SendingBlock.OPTED_OUT, reason, opt_out)
    return None


def sending_blocker(candidate: Candidate, *, integration=...) -> str | None:
    """Why SMS cannot be sent to this candidate right now, or None if it can."""
    block = sending_block(candidate, integration=integration)
    return block.reason if block else None


def _check_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise SendRefused("Write a message before sending.", field="body")
    unknown = merge.unknown_fields(body)
    if unknown:
        names = ", ".join("{{" + name + "}}" for name in unknown)
        raise SendRefused(f"Unknown merge field {names}. Check the spelling.", field="body")
    return body


def _check_length(body: str) -> None:
    if len(body) > MAX_BODY_CHARS:
        raise SendRefused(
            f"The message is {len(body):,} characters long; the limit is {MAX_BODY_CHARS:,}.",
            field="body",
        )


def _latest_job(candidate: Candidate):
    application = (
        Application.objects.filter(candidate=candidate)
        .select_related("job")
        .order_by("-created_at", "-id")
        .first()
    )
    return application.job if application else None


def thread_for_candidate(candidate: Candidate, phone_number: str = "") -> Thread:
    thread, _ = Thread.objects.get_or_create(
        candidate=candidate, defaults={"phone_number": phone_number or candidate.phone}
    )
    return thread


def render_body(candidate: Candidate, body: str, *, sent_by) -> str:
    """The text `candidate` would receive: merge fields filled in ({{job_title}}: their most
    recent application). Raises SendRefused (about the body) when it cannot be sent as is."""
    body = _check_body(body)
    job = _latest_job(candidate) if "job_title" in merge.used_fields(body) else None
    try:
        body = merge.render(body, candidate=candidate, job=job, sender=sent_by)
    except merge.MissingMergeValue as missing:
        raise SendRefused(
            f"Cannot fill in the message: {missing.reason}.", field="body"
        ) from missing
    _check_length(body)
    return body


def _save_outbound(thread: Thread, *, body: str, to_number: str, now, **fields) -> Message:
    """Save one queued outbound message and make it the thread's latest."""
    message = Message.objects.create(
        thread=thread,
        direction=Direction.OUTBOUND,
        status=MessageStatus.QUEUED,
        body=body,
        to_number=to_number,
        segments=measure(body).segments,
        **fields,
    )
    Thread.objects.filter(pk=thread.pk).update(
        phone_number=to_number,
        last_message_at=now,
        last_message_preview=_preview(body),
        last_message_direction=Direction.OUTBOUND,
        changed_at=now,
    )
    return message


# --- Queueing -----------------------------------------------------------------------------------


def queue_message(
    candidate: Candidate,
    body: str,
    *,
    sent_by,
    template=None,
    scheduled_for=None,
    retry_of: Message | None = None,
) -> Message:
    """Save one outbound SMS as queued and publish its send task after commit.

    Merge fields are rendered for the candidate ({{job_title}}: their most recent application).
    Raises SendRefused with a readable reason instead of queueing something that cannot or must
    not go out. A message scheduled for later is dispatched by the sweeper when it is due.
    """
    body = render_body(candidate, body, sent_by=sent_by)
    blocker = sending_blocker(candidate)
    if blocker:
        raise SendRefused(blocker)

    now = timezone.now()
    to_number = to_e164_or_none(candidate.phone)
    due_later = scheduled_for is not None and scheduled_for > now
    with transaction.atomic():
        message = _save_outbound(
            thread_for_candidate(candidate, to_number),
            body=body,
            to_number=to_number,
            now=now,
            sent_by=sent_by,
            template=template,
            retry_of=retry_of,
            scheduled_for=scheduled_for,
            next_attempt_at=scheduled_for if due_later else None,
            # Published right after commit; if publishing fails it is cleared again.
            enqueued_at=None if due_later else now,
        )
        if not due_later:
            transaction.on_commit(lambda: enqueue_sends([message.pk]))
    return message


TEST_MESSAGE_BODY = "Nextal test message"


def queue_test_message(to: str, *, sent_by) -> Message:
    """Queue "Nextal test message" to any number through the active provider (real pipeline).

    Used by the Integrations page to check a provider end to end. The message lands in the
    number's thread (the candidate's, or an Unknown-sender thread) like any other SMS.
    """
    to_number = to_e164_or_none(to)
    if to_number is None:
        raise SendRefused("Enter a valid phone number, including the country code.")
    problem = _integration_problem(active_integration())
    if problem:
        raise SendRefused(problem)
    opt_out = opt_out_for(to_number)
    if opt_out:
        raise SendRefused(_opted_out_reason(display_phone(to_number), opt_out))
    now = timezone.now()
    with transaction.atomic():
        message = _save_outbound(
            _thread_for_sender(to_number),
            body=TEST_MESSAGE_BODY,
            to_number=to_number,
            now=now,
            sent_by=sent_by,
            is_test=True,
            enqueued_at=now,
        )
        transaction.on_commit(lambda: enqueue_sends([message.pk]))
    return message


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


def _latest_jobs(candidate_ids) -> dict:
    """{candidate_id: Job} of each candidate's most recent application, in one query."""
    jobs = {}
    for chunk in _chunks(candidate_ids):
        applications = (
            Application.objects.filter(candidate_id__in=chunk)
            .select_related("job")
            .order_by("candidate_id", "-created_at", "-id")
        )
        for application in applications:
            jobs.setdefault(application.candidate_id, application.job)
    return jobs


def _plan_bulk(candidates, body_template: str, *, sent_by, job=None) -> BulkPlan:
    body_template = _check_body(body_template)
    problem = _integration_problem(active_integration())
    if problem:
        raise SendRefused(problem)
    candidates = list(candidates)
    numbers = {c.pk: to_e164_or_none(c.phone) for c in candidates if c.phone}
    opted_out = {
        o.phone_number: o
        for chunk in _chunks(sorted({n for n in numbers.values() if n}))
        for o in OptOut.objects.filter(phone_number__in=chunk, opted_out=True)
    }
    jobs = {}
    if job is None and "job_title" in merge.used_fields(body_template):
        jobs = _latest_jobs([c.pk for c in candidates])

    plan = BulkPlan()
    seen_candidates: set[int] = set()
    seen_numbers: dict[str, str] = {}
    for candidate in candidates:
        if candidate.pk in seen_candidates:
            continue
        seen_candidates.add(candidate.pk)
        number = numbers.get(candidate.pk)
        if number is None:
            plan.skip(candidate, "without a valid phone", _phone_problem(candidate))
            continue
        if number in opted_out:
            reason = _opted_out_reason(candidate.full_name, opted_out[number])
            plan.skip(candidate, "opted out", reason)
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


def preview_bulk(candidates, body_template: str, *, sent_by, job=None) -> BulkPlan:
    """What `queue_bulk` would do, without writing anything."""
    return _plan_bulk(candidates, body_template, sent_by=sent_by, job=job)


def queue_bulk(candidates, body_template: str, *, sent_by, job=None, template=None) -> BulkSend:
    """One SMS per candidate (merge fields rendered for each), queued in one transaction.

    Candidates who cannot be texted are skipped with a reason (in `BulkSend.skipped`). Rows are
    bulk-created and a single on-commit callback publishes all their tasks.
    Raises SendRefused when nobody can be texted at all (empty body, SMS turned off).
    """
    plan = _plan_bulk(candidates, body_template, sent_by=sent_by, job=job)
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
            for chunk in _chunks(list(by_candidate))
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
                    enqueued_at=now,
                )
                for pk, (_, to, body) in by_candidate.items()
            ],
            batch_size=1000,
        )
        # Every thread's summary from its new message, in one statement (Django's bulk_update
        # builds a CASE per row and takes seconds for thousands).
        new_message = Message.objects.filter(thread=OuterRef("pk"), bulk_send=bulk)
        Thread.objects.filter(messages__bulk_send=bulk).update(
            phone_number=Subquery(new_message.values("to_number")[:1]),
            last_message_preview=Substr(Subquery(new_message.values("body")[:1]), 1, 160),
            last_message_at=now,
            last_message_direction=Direction.OUTBOUND,
            changed_at=now,
        )
        message_ids = list(
            Message.objects.filter(bulk_send=bulk).order_by("pk").values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: enqueue_sends(message_ids))
    return bulk


def enqueue_sends(message_ids: list[int]) -> int:
    """Publish a send task per message; returns how many were published.

    Never raises for a broker problem: the rows stay queued (the outbox) and the sweeper publishes
    them once the broker is back. Stops at the first failure instead of waiting on each message.
    """
    from sms.tasks import send_message

    published = 0
    try:
        for message_id in message_ids:
            send_message.delay(message_id)
            published += 1
    except Exception as exc:  # kombu/redis raise several types; all mean "not published"
        remaining = message_ids[published:]
        for chunk in _chunks(remaining):
            Message.objects.filter(pk__in=chunk, status=MessageStatus.QUEUED).update(
                enqueued_at=None
            )
        logger.warning(
            "Could not publish %d SMS send task(s) (%s: %s); they stay queued for the sweeper.",
            len(remaining),
            type(exc).__name__,
            exc,
        )
    return published


# --- Sending (the body of the send_message task) -------------------------------------------


def _retry_delay(attempts: int, retry_after: float | None) -> float:
    """Exponential backoff with jitter (half fixed, half random), at least Retry-After."""
    ceiling = min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    delay = ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - not cryptographic
    return max(delay, retry_after or 0)


def claim_for_sending(message_id: int) -> bool:
    """Atomically mark a queued, due message as sending. False: someone else has it (or it is
    not due, or no longer queued): the caller must not send."""
    now = timezone.now()
    claimed = (
        Message.objects.filter(
            pk=message_id, direction=Direction.OUTBOUND, status=MessageStatus.QUEUED
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            status=MessageStatus.SENDING,
            claimed_at=now,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )
    return claimed == 1


def _fail(message: Message, reason: str, code: str = "") -> None:
    _advance_status(
        [message.pk], MessageStatus.FAILED, error_code=_clean(code, 40), error_message=reason[:500]
    )
    _touch_threads([message.thread_id])


def send_queued_message(message_id: int) -> str:
    """Claim and send one queued message; returns the outcome ("skipped", or the new status).

    The active provider is resolved now, not when the message was queued: switching provider
    while messages wait sends them through the new one; turning SMS off fails them with reason.
    """
    if not claim_for_sending(message_id):
        return "skipped"
    message = Message.objects.select_related("thread__candidate", "sent_by").get(pk=message_id)
    _touch_threads([message.thread_id])

    integration = active_integration()
    problem = _integration_problem(integration)
    if problem:
        _fail(message, problem, code="sms_turned_off")
        return MessageStatus.FAILED
    opt_out = opt_out_for(message.to_number)
    if opt_out:
        name = message.thread.candidate.full_name if message.thread.candidate else "This number"
        _fail(message, "Not sent: " + _opted_out_reason(name, opt_out), code="opted_out")
        return MessageStatus.FAILED

    callback_route = STATUS_CALLBACK_ROUTES.get(integration.kind)
    sms = OutboundSms(
        to=message.to_number,
        body=message.body,
        sender=integration.phone_number,
        reference=str(message.pk),
        status_callback_url=(
            f"{public_url(callback_route)}?message={message.pk}" if callback_route else None
        ),
    )
    Message.objects.filter(pk=message.pk).update(
        provider=integration.kind, from_number=integration.phone_number
    )
    try:
        result = provider_for(integration).send(sms)
    except ProviderError as error:
        return _record_send_error(message, integration, error)
    except Exception:
        # An unclassified failure (an adapter bug, a time limit) may come after the provider
        # accepted the message: the only safe reading is "maybe sent".
        logger.exception("Unexpected error sending SMS #%s through %s", message.pk, integration)
        _record_unknown(message, "")
        return MessageStatus.UNKNOWN
    _record_sent(message, integration, result)
    return MessageStatus.SENT


def _record_sent(message: Message, integration: Integration, result: SendResult) -> None:
    now = timezone.now()
    segments = result.segments or measure(message.body).segments
    # Provider facts are recorded even if a status callback that raced the send already moved
    # the message on (e.g. to delivered); the status itself only ever moves forward.
    Message.objects.filter(pk=message.pk).update(
        provider=integration.kind,
        provider_message_id=_clean(result.provider_message_id, 64) or None,
        from_number=integration.phone_number,
        segments=segments,
        sent_at=now,
        error_code="",
        error_message="",
        raw=_json_safe(result.raw),
        updated_at=now,
    )
    accepted = (MessageStatus.SENT, MessageStatus.DELIVERED)
    _advance_status([message.pk], result.status if result.status in accepted else "sent")
    _touch_threads([message.thread_id], now)
    candidate = message.thread.candidate
    if candidate is not None:
        sender = message.sent_by.get_full_name() if message.sent_by else ""
        TimelineEvent.objects.create(
            candidate=candidate,
            kind=TimelineEvent.Kind.SMS_SENT,
            actor=message.sent_by,
            description=(f"SMS sent by {sender}: " if sender else "SMS sent: ")
            + _quote(message.body),
            data={"message_id": message.pk, "provider": integration.kind},
        )


def _record_unknown(message: Message, detail: str, code: str = "") -> None:
    reason = f"{OUTCOME_UNKNOWN} ({detail})" if detail else OUTCOME_UNKNOWN
    _advance_status(
        [message.pk], MessageStatus.UNKNOWN, error_code=_clean(code, 40), error_message=reason[:500]
    )
    _touch_threads([message.thread_id])


def _record_send_error(message: Message, integration: Integration, error: ProviderError) -> str:
    if error.ambiguous:
        _record_unknown(message, error.message, error.code)
        return MessageStatus.UNKNOWN
    if error.transient:
        attempts = Message.objects.values_list("attempts", flat=True).get(pk=message.pk)
        if attempts < MAX_SEND_ATTEMPTS:
            retry_at = timezone.now() + timedelta(seconds=_retry_delay(attempts, error.retry_after))
            # Back to the outbox: the sweeper dispatches it when `next_attempt_at` has passed.
            Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
                status=MessageStatus.QUEUED,
                next_attempt_at=retry_at,
                enqueued_at=None,
                error_code=_clean(error.code, 40),
                error_message=f"{error.message} Retrying automatically."[:500],
                updated_at=timezone.now(),
            )
            _touch_threads([message.thread_id])
            return MessageStatus.QUEUED
        _fail(message, f"{error.message} Gave up after {attempts} attempts.", error.code)
        return MessageStatus.FAILED
    _fail(message, error.message, error.code)
    if error.opted_out:
        set_opt_out(
            message.to_number,
            opted_out=True,
            source=OptOut.Source.PROVIDER,
            detail=f"{integration.get_kind_display()} error {error.code}".strip(),
            provider=integration.kind,
        )
    return MessageStatus.FAILED


# --- The sweeper ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    dispatched: int  # queued messages whose task was (re)published
    published: int  # of those, how many the broker accepted
    marked_unknown: int  # stuck in sending past the deadline


def sweep_outbox(*, now=None) -> SweepResult:
    """Re-publish lost tasks, dispatch due scheduled messages and retries, and give up on
    messages stuck in `sending` (outcome unknown). Safe to run often and concurrently: the
    send task's claim makes any extra publication harmless."""
    now = now or timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    not_in_flight = Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=now - LOST_TASK_AFTER)
    dispatch_ids = list(
        Message.objects.filter(direction=Direction.OUTBOUND, status=MessageStatus.QUEUED)
        .filter(due & not_in_flight)
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    )
    published = 0
    if dispatch_ids:
        Message.objects.filter(pk__in=dispatch_ids, status=MessageStatus.QUEUED).update(
            enqueued_at=now
        )
        published = enqueue_sends(dispatch_ids)

    stuck = list(
        Message.objects.filter(
            status=MessageStatus.SENDING, claimed_at__lt=now - SENDING_DEADLINE
        ).values_list("pk", "thread_id")[:SWEEP_BATCH_SIZE]
    )
    marked_unknown = 0
    if stuck:
        marked_unknown = _advance_status(
            [pk for pk, _ in stuck],
            MessageStatus.UNKNOWN,
            error_code="no_outcome",
            error_message=f"{OUTCOME_UNKNOWN} (the sending task never reported back)",
        )
        _touch_threads({thread_id for _, thread_id in stuck})
    if dispatch_ids or stuck:
        logger.info(
            "SMS sweep: %d dispatched (%d published), %d marked outcome unknown",
            len(dispatch_ids),
            published,
            marked_unknown,
        )
    return SweepResult(len(dispatch_ids), published, marked_unknown)


# --- Opt-outs -----------------------------------------------------------------------------------


def set_opt_out(
    phone_number: str, *, opted_out: bool, source: str, detail: str = "", provider: str = ""
) -> bool:
    """Record that a number opted out (or back in); returns whether its state changed.

    An opt-in only lifts an existing opt-out: a plain "YES" from a number that never opted out
    records nothing. Every candidate with the number gets a timeline entry on a change.
    """
    now = timezone.now()
    with transaction.atomic():
        current = OptOut.objects.select_for_update().filter(phone_number=phone_number).first()
        if current is not None and current.opted_out == opted_out:
            return False
        if current is None and not opted_out:
            return False
        values = {
            "opted_out": opted_out,
            "source": source,
            "detail": _clean(detail, 200),
            "provider": provider,
            "changed_at": now,
        }
        OptOut.objects.update_or_create(phone_number=phone_number, defaults=values)
        if opted_out:
            kind, text = TimelineEvent.Kind.OPTED_OUT, "Opted out of SMS"
        else:
            kind, text = TimelineEvent.Kind.OPTED_IN, "Opted in to SMS again"
        how = f"replied {detail}" if source == OptOut.Source.KEYWORD else detail
        TimelineEvent.objects.bulk_create(
            TimelineEvent(
                candidate=candidate,
                kind=kind,
                description=f"{text} ({how})" if how else text,
                data={"phone_number": phone_number, "source": source},
            )
            for candidate in Candidate.objects.filter(phone=phone_number)
        )
        # The inbox and open conversations show an opted-out badge: make their polls see it.
        Thread.objects.filter(phone_number=phone_number).update(changed_at=now)
    return True


def opt_out_keyword(body: str, provider_opt_out_type: str | None) -> tuple[bool | None, str]:
    """(True, keyword) for an opt-out, (False, keyword) for an opt-in, (None, "") otherwise.

    A keyword counts only as the whole message (one word, any case, surrounding spaces and
    a trailing full stop or exclamation mark ignored), as carriers match them.
    """
    word = (body or "").strip().rstrip(".!").strip().upper()
    provider_type = (provider_opt_out_type or "").strip().upper()
    if word in OPT_OUT_KEYWORDS:
        return True, word
    if word in OPT_IN_KEYWORDS:
        return False, word
    if provider_type == "STOP":
        return True, word or "STOP"
    if provider_type == "START":
        return False, word or "START"
    return None, ""


# --- Inbound messages ---------------------------------------------------------------------------


def normalize_sender(raw: str) -> str:
    """E.164 when the sender parses as a phone number (also "61429912603" without its "+"),
    else the cleaned raw value (short codes, alphanumeric senders)."""
    text = _clean(raw, 32).strip()
    number = to_e164_or_none(text)
    if number is None and text.isascii() and text.isdigit() and len(text) > 10:
        number = to_e164_or_none("+" + text)
    return number or text


def _thread_for_sender(number: str) -> Thread:
    """The thread an inbound message from `number` belongs to.

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


def record_inbound(provider: str, inbound: InboundSms) -> tuple[Message, bool]:
    """Store an inbound SMS once; returns (message, created).

    Idempotent on (provider, provider message id), also against a concurrent duplicate on
    PostgreSQL: the unique constraint decides and the loser returns the winner's row. A reply is
    kept whether or not the provider is still active. Opt-out keywords update the opt-out.
    """
    message_id = _clean(inbound.provider_message_id, 64) or None
    if message_id:
        existing = Message.objects.filter(provider=provider, provider_message_id=message_id).first()
        if existing is not None:
            return existing, False
    sender = normalize_sender(inbound.from_number)
    body = _clean(inbound.body)
    now = timezone.now()
    with transaction.atomic():
        thread = _thread_for_sender(sender)
        try:
            with transaction.atomic():
                message = Message.objects.create(
                    thread=thread,
                    direction=Direction.INBOUND,
                    status=MessageStatus.RECEIVED,
                    body=body,
                    provider=provider,
                    provider_message_id=message_id,
                    from_number=sender,
                    to_number=normalize_sender(inbound.to_number),
                    segments=measure(body).segments or None,
                    sent_at=inbound.received_at,
                    raw=_json_safe(inbound.raw),
                )
        except IntegrityError:
            # A concurrent delivery of the same message won the unique constraint.
            existing = Message.objects.filter(
                provider=provider, provider_message_id=message_id
            ).first()
            if existing is None:
                raise
            logger.info("Duplicate %s inbound %s ignored (concurrent)", provider, message_id)
            return existing, False
        Thread.objects.filter(pk=thread.pk).update(
            last_message_at=now,
            last_message_preview=_preview(body),
            last_message_direction=Direction.INBOUND,
            unread_count=F("unread_count") + 1,
            changed_at=now,
        )
        if thread.candidate_id:
            TimelineEvent.objects.create(
                candidate_id=thread.candidate_id,
                kind=TimelineEvent.Kind.SMS_RECEIVED,
                description="SMS received: " + _quote(body),
                data={"message_id": message.pk, "provider": provider},
            )
        opted_out, keyword = opt_out_keyword(body, inbound.opt_out_type)
        if opted_out is not None and sender.startswith("+"):
            set_opt_out(
                sender,
                opted_out=opted_out,
                source=OptOut.Source.KEYWORD,
                detail=keyword,
                provider=provider,
            )
    return message, True


# --- Status events ---------------------------------------------------------------------------


def _message_for_status(provider: str, event: StatusEvent) -> Message | None:
    provider_message_id = _clean(event.provider_message_id, 64)
    if provider_message_id:
        message = Message.objects.filter(
            provider=provider, provider_message_id=provider_message_id
        ).first()
        if message is not None:
            return message
    # The callback can beat the send task to recording the provider id: match our reference,
    # but never a message that already carries another id.
    reference = str(event.reference or "").strip()
    if reference.isascii() and reference.isdigit() and len(reference) < 19:
        return (
            Message.objects.filter(pk=int(reference), direction=Direction.OUTBOUND)
            .filter(Q(provider_message_id__isnull=True) | Q(provider_message_id=""))
            .filter(Q(provider=provider) | Q(provider=""))
            .first()
        )
    return None


def record_status(provider: str, event: StatusEvent) -> bool:
    """Apply a delivery status to its message, only forward; returns whether it changed.

    A status for a message we do not know (or a status word we do not use) is ignored: the
    webhook still answers 200 so that the provider stops retrying.
    """
    if event.status not in STATUS_RANK or event.status in (
        MessageStatus.RECEIVED,
        MessageStatus.QUEUED,
        MessageStatus.SENDING,
    ):
        return False
    message = _message_for_status(provider, event)
    if message is None:
        logger.info("Ignoring a %s status for an unknown message", provider)
        return False
    fields = {"raw": _json_safe(event.raw)}
    if event.status in (MessageStatus.FAILED, MessageStatus.UNDELIVERED):
        code = _clean(event.error_code, 40)
        fields["error_code"] = code
        fields["error_message"] = _clean(
            event.error_message
            or (f"The carrier reported error {code}." if code else "Not delivered."),
            500,
        )
    if event.status == MessageStatus.DELIVERED:
        fields["delivered_at"] = event.occurred_at or timezone.now()
    with transaction.atomic():
        changed = _advance_status([message.pk], event.status, **fields)
        if changed and not message.provider_message_id and event.provider_message_id:
            try:
                with transaction.atomic():
                    Message.objects.filter(pk=message.pk, provider_message_id__isnull=True).update(
                        provider=provider, provider_message_id=_clean(event.provider_message_id, 64)
                    )
            except IntegrityError:
                # Another row already has that id: keep the status, leave the id to the sender.
                logger.warning("Status for SMS #%s names another message's id", message.pk)
        if changed:
            _touch_threads([message.thread_id])
    if changed and _clean(event.error_code) in OPT_OUT_ERROR_CODES.get(provider, ()):
        set_opt_out(
            message.to_number,
            opted_out=True,
            source=OptOut.Source.PROVIDER,
            detail=f"{ProviderKind(provider).label} error {event.error_code}",
            provider=provider,
        )
    return bool(changed)


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
    if thread.last_message_at > target.last_message_at:
        target.last_message_at = thread.last_message_at
        target.last_message_preview = thread.last_message_preview
        target.last_message_direction = thread.last_message_direction
    target.unread_count += thread.unread_count
    target.changed_at = now
    target.save()
    thread.delete()
    return target


def mark_thread_read(thread: Thread) -> None:
    """The recruiter has seen the conversation: clear its unread count."""
    if thread.unread_count:
        now = timezone.now()
        Thread.objects.filter(pk=thread.pk).update(unread_count=0, changed_at=now)
        thread.unread_count, thread.changed_at = 0, now


# --- Recruiter actions on single messages ---------------------------------------------------

# Statuses a recruiter may send again (as a new message): the provider refused it, the carrier
# could not deliver it, or nobody knows whether it went out.
RETRYABLE_STATUSES = frozenset(
    {MessageStatus.FAILED, MessageStatus.UNDELIVERED, MessageStatus.UNKNOWN}
)


def retry_message(message: Message, *, by) -> Message:
    """Queue a new message with the same text as a failed (or outcome unknown) one.

    The original row is never touched or resent: its outcome stays on record, and the new message
    points at it with `retry_of`. Idempotent: a message already retried (double click, two tabs)
    returns its existing retry; the row lock makes a concurrent second retry wait and find it.
    """
    with transaction.atomic():
        original = Message.objects.select_for_update().get(pk=message.pk)
        existing = original.retries.order_by("pk").first()
        if existing is not None:
            return existing
        if original.direction != Direction.OUTBOUND or original.status not in RETRYABLE_STATUSES:
            raise SendRefused(
                "Only a message that failed or whose outcome is unknown can be sent again."
            )
        candidate = original.thread.candidate
        if candidate is None or original.is_test:
            raise SendRefused("This message has no candidate to send it to again.")
        return queue_message(
            candidate, original.body, sent_by=by, template=original.template, retry_of=original
        )


def _refresh_thread_summary(thread_id: int, now) -> None:
    """Point the thread's preview at its latest message that still counts (not canceled)."""
    latest = (
        Message.objects.filter(thread_id=thread_id)
        .exclude(status=MessageStatus.CANCELED)
        .order_by("-created_at", "-id")
        .only("body", "direction")
        .first()
    )
    Thread.objects.filter(pk=thread_id).update(
        last_message_preview=_preview(latest.body) if latest else "",
        last_message_direction=latest.direction if latest else "",
        changed_at=now,
    )


def cancel_scheduled(message: Message, *, by) -> Message:
    """Cancel a scheduled message that has not gone out yet; returns it (now canceled).

    The cancel and the send task's claim are both conditional UPDATEs of a queued row, so the
    database decides which one wins. Canceling twice is harmless; a message already being sent
    (or sent) raises SendRefused.
    """
    now = timezone.now()
    who = (by.get_full_name() or by.get_username()) if by is not None else "Nextal"
    with transaction.atomic():
        canceled = Message.objects.filter(
            pk=message.pk,
            direction=Direction.OUTBOUND,
            status=MessageStatus.QUEUED,
            scheduled_for__isnull=False,
        ).update(
            status=MessageStatus.CANCELED,
            next_attempt_at=None,
            error_code="canceled",
            error_message=f"Canceled by {who}.",
            updated_at=now,
        )
        message.refresh_from_db()
        if not canceled:
            if message.status == MessageStatus.CANCELED:
                return message
            if message.scheduled_for is None:
                raise SendRefused("Only a scheduled message can be canceled.")
            raise SendRefused("Too late to cancel: this message is already being sent.")
        _refresh_thread_summary(message.thread_id, now)
    return message
