"""Sending SMS from the kanban board: one card, or every selected card at once.

The outbox (`sms/outbox/`) does the queueing; this module adds what the board needs around it:
the board's job for {{job_title}}, a guard against the same form being posted twice (a double
click, a resubmitted page) and the live progress of a bulk send in one query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q

from candidates.models import Application, Job
from sms.models import IN_FLIGHT, NOT_DELIVERED, BulkSend, Message, MessageStatus, author_name
from sms.outbox.bulk import queue_bulk
from sms.text.cleaning import preview
from sms.text.fill_ins import fill

# More than any board shows at once; keeps one request's work bounded.
MAX_BULK_RECIPIENTS = 5000


def selection_ids(data) -> list[str]:
    """The selected card ids a request carries: one comma-joined `applications` field (what the
    board and the sidebar send, so a selection of thousands stays far under Django's
    DATA_UPLOAD_MAX_NUMBER_FIELDS), and `application` checkboxes (the board without JavaScript).
    """
    joined = data.get("applications", "")[: MAX_BULK_RECIPIENTS * 20]
    return [*data.getlist("application"), *joined.split(",")]


def _ids(values) -> set[int]:
    return {int(v) for v in values if str(v).isascii() and str(v).isdigit() and len(str(v)) < 19}


def selected_applications(job: Job, application_ids, *, stages=(), exclude=()) -> list[Application]:
    """The selected cards of `job`'s board with their candidates, in board order: the checked
    cards, plus every card of the whole-column `stages` ("select all 612 in Applied", also the
    cards the board has not loaded), minus `exclude` (unchecked in such a column). Ids of other
    jobs' cards or stages (or garbage) are ignored."""
    ids, stage_ids = _ids(application_ids), _ids(stages)
    if not ids and not stage_ids:
        return []
    return list(
        Application.objects.filter(job=job)
        .filter(Q(pk__in=ids) | Q(stage_id__in=stage_ids))
        .exclude(pk__in=_ids(exclude))
        .select_related("candidate")
        .order_by("stage__position", "position", "id")[:MAX_BULK_RECIPIENTS]
    )


@dataclass(frozen=True)
class BulkQueued:
    bulk: BulkSend
    repeated: bool


def send_bulk(
    applications: list[Application],
    body: str,
    *,
    sent_by,
    job: Job,
    template=None,
    previewed_at: datetime | None,
    fill_values: dict[str, str] | None = None,
    attachment=None,
) -> BulkQueued:
    """Queue one SMS per selected candidate (`queue_bulk`), once per preview.

    A bulk send by the same user for the same job and text created after the preview was shown
    is this very send posted again: it is returned instead of texting everyone twice.
    """
    body = (body or "").strip()
    filled = fill(body, fill_values or {})  # what the bulk send records
    with transaction.atomic():
        # One bulk send per user at a time: the repeat check and the insert cannot interleave.
        get_user_model().objects.select_for_update().filter(pk=sent_by.pk).first()
        if previewed_at is not None:
            earlier = (
                BulkSend.objects.filter(
                    created_by=sent_by, job=job, body=filled, created_at__gte=previewed_at
                )
                .order_by("-created_at", "-id")
                .first()
            )
            if earlier is not None:
                return BulkQueued(earlier, repeated=True)
        candidates = [application.candidate for application in applications]
        bulk = queue_bulk(
            candidates,
            body,
            sent_by=sent_by,
            job=job,
            template=template,
            fill_values=fill_values,
            attachment=attachment,
        )
    return BulkQueued(bulk, repeated=False)


# Progress buckets: what a recruiter needs to know, not every provider status.


@dataclass(frozen=True)
class BulkProgress:
    bulk: BulkSend
    queued: int  # waiting or being handed to the provider
    sent: int
    delivered: int
    failed: int
    unknown: int

    @property
    def total(self) -> int:
        return self.queued + self.sent + self.delivered + self.failed + self.unknown

    @property
    def in_flight(self) -> bool:
        return self.queued > 0

    @property
    def percent_done(self) -> int:
        return 100 if not self.total else round(100 * (self.total - self.queued) / self.total)


def bulk_progress(bulk_id: int) -> BulkProgress:
    """The bulk send and its messages counted by status, in one query (it is polled)."""
    status = "messages__status"
    bulk = (
        BulkSend.objects.filter(pk=bulk_id)
        .select_related("job", "created_by")
        .annotate(
            n_queued=Count("messages", filter=Q(**{f"{status}__in": IN_FLIGHT})),
            n_sent=Count("messages", filter=Q(**{status: MessageStatus.SENT})),
            n_delivered=Count("messages", filter=Q(**{status: MessageStatus.DELIVERED})),
            n_failed=Count("messages", filter=Q(**{f"{status}__in": NOT_DELIVERED})),
            n_unknown=Count("messages", filter=Q(**{status: MessageStatus.UNKNOWN})),
        )
        .get()
    )
    return BulkProgress(
        bulk=bulk,
        queued=bulk.n_queued,
        sent=bulk.n_sent,
        delivered=bulk.n_delivered,
        failed=bulk.n_failed,
        unknown=bulk.n_unknown,
    )


def sent_previews(bulk: BulkSend, applications: list[Application]) -> dict[str, str]:
    """{application id: the text each card's last-SMS line should now show}, one query."""
    by_candidate = {application.candidate_id: application.pk for application in applications}
    rows = Message.objects.filter(bulk_send=bulk).values_list("thread__candidate_id", "body")
    author = author_name(bulk.created_by)  # "Riley: …", as the cards' own lines read
    return {
        str(by_candidate[cid]): f"{author}: {preview(body)}"
        for cid, body in rows
        if cid in by_candidate
    }
