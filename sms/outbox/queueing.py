"""Queueing one outbound SMS: the checks, the filled-in body, the row, and its task.

The row is saved as `queued` and its send task is published only after the transaction commits,
so a task never looks for a row that is not there yet; if publishing fails the row waits for the
sweeper. A message scheduled for later, or held for quiet hours in the candidate's time, is
dispatched by the sweeper when it is due (`next_attempt_at`).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from candidates.models import Application, Candidate, TimelineEvent
from candidates.services import record_event
from sms.attachments.outgoing import StagedFile, attach_staged, attach_upload
from sms.eligibility import (
    Hold,
    Purpose,
    active_integration,
    attachment_refusal,
    number_sending_check,
    sending_check,
)
from sms.media.kinds import media_preview
from sms.models import Direction, HeldFor, Message, MessageStatus, Thread, author_name
from sms.outbox.publishing import enqueue_sends
from sms.text import fill_ins, merge
from sms.text.rules import body_problems, length_problem
from sms.text.segments import measure
from sms.threads import thread_for_candidate


class SendRefused(Exception):
    """A message that must not be queued; `reason` is shown to the user as is.

    `field` names the form field the reason is about ("body" for the text itself), or None when
    it is about the recipient or the provider (shown above the form).
    """

    def __init__(self, reason: str, *, field: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.field = field


def latest_job(candidate: Candidate):
    """The job of the candidate's most recent application ({{job_title}} without a board)."""
    application = (
        Application.objects.filter(candidate=candidate)
        .select_related("job")
        .order_by("-created_at", "-id")
        .first()
    )
    return application.job if application else None


def render_body(candidate: Candidate, body: str, *, sent_by, job=None) -> str:
    """The text `candidate` would receive: merge fields filled in ({{job_title}}: `job`, else
    their most recent application). Raises SendRefused (about the body) when it cannot be sent
    as is."""
    problems = body_problems(body, check_length=False)
    if problems:
        raise SendRefused(problems[0], field="body")
    unfilled = fill_ins.unfilled_problem(body)
    if unfilled:
        raise SendRefused(unfilled, field="body")
    body = body.strip()
    if job is None and "job_title" in merge.used_fields(body):
        job = latest_job(candidate)
    try:
        body = merge.render(body, candidate=candidate, job=job, sender=sent_by)
    except merge.MissingMergeValue as missing:
        raise SendRefused(
            f"Cannot fill in the message: {missing.reason}.", field="body"
        ) from missing
    too_long = length_problem(body)
    if too_long:
        raise SendRefused(too_long, field="body")
    return body


def save_outbound(
    thread: Thread, *, body: str, to_number: str, now, attachment=None, **fields
) -> Message:
    """Save one queued outbound message and make it the thread's latest (a scheduled one
    becomes the latest when it is sent: until then it sits in "Scheduled and held"). With
    `attachment` (a checked upload) it is an MMS: the file is stored with it and it has no
    segments."""
    message = Message.objects.create(
        thread=thread,
        direction=Direction.OUTBOUND,
        status=MessageStatus.QUEUED,
        body=body,
        to_number=to_number,
        segments=None if attachment else measure(body).segments,
        **fields,
    )
    shown = body
    if isinstance(attachment, StagedFile):  # a file already stored (a retry of an MMS)
        attach_staged([message.pk], attachment)
        shown = body or media_preview([attachment.sniffed_type])
    elif attachment:
        attach_upload(message, attachment, attachment.sniffed_type)
        shown = body or media_preview([attachment.sniffed_type])
    threads = Thread.objects.filter(pk=thread.pk)
    scheduled_for = fields.get("scheduled_for")
    if scheduled_for is not None and scheduled_for > now:
        threads.update(phone_number=to_number, changed_at=now)
    else:
        threads.show_message(
            shown,
            Direction.OUTBOUND,
            at=now,
            phone_number=to_number,
            author=author_name(fields.get("sent_by")),
        )
    return message


def record_hold(candidate_id: int, message: Message, hold: Hold, *, first_name: str) -> None:
    """The candidate's timeline says when a held message goes out, and in which zone."""
    record_event(
        candidate_id,
        TimelineEvent.Kind.SMS_HELD,
        f"{hold.describe(first_name)}, {hold.zone.name} ({hold.zone.source_label})",
        data={"message_id": message.pk, "until": hold.until.isoformat(), "zone": hold.zone.name},
    )


def hold_fields(hold: Hold | None) -> dict:
    """A held message's columns: due when the window opens, not published before."""
    if hold is None:
        return {}
    return {
        "held_for": HeldFor.QUIET_HOURS,
        "recipient_zone": hold.zone.name,
        "next_attempt_at": hold.until,
        "enqueued_at": None,
    }


def queue_message(
    candidate: Candidate,
    body: str,
    *,
    sent_by,
    job=None,
    template=None,
    scheduled_for=None,
    retry_of: Message | None = None,
    purpose: Purpose | None = None,
    cancel_if_reply: bool = True,
    attachment=None,
) -> Message:
    """Save one outbound SMS as queued and publish its send task after commit.

    Merge fields are rendered for the candidate ({{job_title}}: `job`, else their most recent
    application). Raises SendRefused with a readable reason instead of queueing something that
    cannot or must not go out. A message that would arrive inside quiet hours in the
    candidate's time is saved held: it goes out when the window opens there. While it waits
    (scheduled or held), a reply from the candidate cancels it unless `cancel_if_reply` is off.
    """
    # A photo or PDF may go without text (an MMS); text always follows the body rules.
    if not (attachment and not (body or "").strip()):
        body = render_body(candidate, body, sent_by=sent_by, job=job)
    else:
        body = ""
    now = timezone.now()
    due_later = scheduled_for is not None and scheduled_for > now
    if purpose is None:
        purpose = Purpose.SCHEDULED if due_later else Purpose.REPLY
    check = sending_check(
        candidate, purpose=purpose, at=scheduled_for if due_later else now, now=now
    )
    if check.block:
        raise SendRefused(check.block.reason)
    refusal = attachment_refusal(active_integration(), attachment) if attachment else None
    if refusal:
        raise SendRefused(refusal, field="attachment")
    # The job it is about, for SMS Analytics: the board's, else the latest application's (as
    # {{job_title}} reads it).
    job = job or latest_job(candidate)

    with transaction.atomic():
        message = save_outbound(
            thread_for_candidate(candidate, check.number),
            body=body,
            to_number=check.number,
            now=now,
            sent_by=sent_by,
            template=template,
            job=job,
            retry_of=retry_of,
            scheduled_for=scheduled_for,
            cancel_if_reply=cancel_if_reply,
            attachment=attachment,
            **{
                "next_attempt_at": scheduled_for if due_later else None,
                # Published right after commit; if publishing fails it is cleared again.
                "enqueued_at": None if due_later else now,
                **hold_fields(check.hold),
            },
        )
        if check.hold is not None:
            record_hold(candidate.pk, message, check.hold, first_name=candidate.first_name)
        elif not due_later:
            transaction.on_commit(lambda: enqueue_sends([message.pk]))
    message.hold = check.hold
    return message


def queue_number_reply(
    thread: Thread, body: str, *, sent_by, template=None, scheduled_for=None, attachment=None
) -> Message:
    """A reply to an unknown sender's thread: the same body rules, opt-out, consent and quiet
    hours (in the number's zone) as a candidate's, without merge fields (no one to fill them
    for). Raises SendRefused."""
    problems = body_problems(body, check_length=False)
    if problems and not (attachment and not (body or "").strip()):
        raise SendRefused(problems[0], field="body")
    body = (body or "").strip()
    if merge.used_fields(body):
        raise SendRefused(
            "Merge fields need a candidate: create or link one first, or write the text out.",
            field="body",
        )
    too_long = length_problem(body)
    if too_long:
        raise SendRefused(too_long, field="body")
    now = timezone.now()
    due_later = scheduled_for is not None and scheduled_for > now
    check = number_sending_check(
        thread.phone_number,
        last_inbound_at=thread.last_inbound_at,
        purpose=Purpose.SCHEDULED if due_later else Purpose.REPLY,
        at=scheduled_for if due_later else now,
        now=now,
    )
    if check.block:
        raise SendRefused(check.block.reason)
    refusal = attachment_refusal(active_integration(), attachment) if attachment else None
    if refusal:
        raise SendRefused(refusal, field="attachment")
    with transaction.atomic():
        message = save_outbound(
            thread,
            body=body,
            to_number=check.number,
            now=now,
            sent_by=sent_by,
            template=template,
            scheduled_for=scheduled_for,
            attachment=attachment,
            **{
                "next_attempt_at": scheduled_for if due_later else None,
                "enqueued_at": None if due_later else now,
                **hold_fields(check.hold),
            },
        )
        if check.hold is None and not due_later:
            transaction.on_commit(lambda: enqueue_sends([message.pk]))
    message.hold = check.hold
    return message


def queue_message_once(
    candidate: Candidate, body: str, *, sent_by, opened_at, job=None, **fields
) -> tuple[Message, bool]:
    """`queue_message`, unless this very form was posted already (a double click, a retried
    request): (message, repeated). `opened_at` is when the composer was rendered; the same text
    from the same sender to the same candidate since then is this post again, so that message
    is returned instead of texting the candidate twice."""
    # A media-only MMS has no text to compare (queue_message checks it with its file).
    rendered = render_body(candidate, body, sent_by=sent_by, job=job) if body.strip() else None
    with transaction.atomic():
        # Serializes two posts for the same candidate, so the repeat check below is reliable.
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if opened_at is not None and rendered is not None:
            earlier = (
                Message.objects.filter(
                    thread__candidate=candidate,
                    direction=Direction.OUTBOUND,
                    sent_by=sent_by,
                    body=rendered,
                    created_at__gte=opened_at,
                    is_test=False,
                )
                .order_by("-created_at", "-id")
                .first()
            )
            if earlier is not None:
                earlier.hold = None
                return earlier, True
        return queue_message(candidate, body, sent_by=sent_by, job=job, **fields), False
