"""Read-side queries for the inbox and conversations: what the UI lists, and cheap versions.

The list pages read only thread rows (their last-message fields are kept by
sms.models.ThreadQuerySet), so no query is made per thread. A "version" is a token of
`Thread.changed_at`: polling compares it with one query and re-renders only when something
changed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    JSONField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, JSONObject, Least
from django.utils import timezone

from core.phone import phone_search
from sms.models import Attachment, Message, MessageStatus, OptOut, Thread

INBOX_PAGE_SIZE = 50
INBOX_REFRESH_MAX = 500  # rows re-rendered when the list refreshes after "Load more"
CONVERSATION_WINDOW = 50
CONVERSATION_REFRESH_MAX = 500  # messages re-rendered when a conversation refreshes
INBOX_FILTERS = {
    "mine": "Mine",
    "unassigned": "Unassigned",
    "all": "All",
    "unread": "Unread",
    "unknown": "Unknown senders",
    "automated": "Automated",
}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def version_token(moment) -> str:
    """A timestamp as an exact, URL-safe token ("0" for none): what polling clients compare."""
    return str((moment - _EPOCH) // _MICROSECOND) if moment is not None else "0"


def encode_cursor(moment, pk: int) -> str:
    """A position in a list ordered by (time, id), for keyset pagination."""
    return f"{version_token(moment)}-{pk}"


def decode_cursor(text: str):
    """(datetime, id) from `encode_cursor`, or None for anything else."""
    micros, _, pk = (text or "").partition("-")
    if not (micros.isascii() and micros.isdigit() and pk.isascii() and pk.isdigit()):
        return None
    if len(micros) > 18 or len(pk) > 18:
        return None
    try:
        return _EPOCH + timedelta(microseconds=int(micros)), int(pk)
    except OverflowError:  # past the year 9999
        return None


def inbox_version() -> str:
    """Changes whenever any thread changes: one indexed MAX, the inbox list's polling check."""
    latest = Thread.objects.aggregate(latest=Max("changed_at"))["latest"]
    return version_token(latest)


def in_the_lists(now) -> Q:
    """Open and not snoozed (a snooze that is over counts as back, sweeper or not)."""
    return Q(closed_at__isnull=True) & (Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=now))


def _badge_condition(user, now) -> Q:
    """What the navigation badge counts: unread conversations in Mine and Unassigned."""
    mine_or_nobodys = Q(assigned_to__isnull=True)
    if user is not None and user.pk:
        mine_or_nobodys |= Q(assigned_to=user.pk)
    return Q(unread_count__gt=0) & mine_or_nobodys & in_the_lists(now)


def inbox_summary(user=None) -> tuple[str, int]:
    """(the list's version, the unread count of the navigation badge) in one query."""
    summary = Thread.objects.aggregate(
        latest=Max("changed_at"),
        unread=Count("pk", filter=_badge_condition(user, timezone.now())),
    )
    return version_token(summary["latest"]), summary["unread"]


def with_list_extras(threads, user=None):
    """The list's rows in the same query as what goes with them: each row's opt-out
    (`is_opted_out`) and, on every row, the list's version and the navigation's unread count
    (`inbox_latest`, `inbox_unread`: what `inbox_summary` counts, in one snapshot with the rows)."""
    everything = Thread.objects.order_by().annotate(one=Value(1)).values("one")
    condition = _badge_condition(user, timezone.now())
    return threads.annotate(
        is_opted_out=Exists(
            OptOut.objects.filter(phone_number=OuterRef("phone_number"), opted_out=True)
        ),
        inbox_latest=Subquery(everything.annotate(m=Max("changed_at")).values("m")[:1]),
        inbox_unread=Subquery(everything.annotate(n=Count("pk", filter=condition)).values("n")[:1]),
    )


def thread_version(*, thread_id: int | None = None, candidate_id: int | None = None) -> str:
    """The conversation's version (its `changed_at`) in one query; "0" while it has no thread."""
    threads = Thread.objects.filter(
        **({"pk": thread_id} if thread_id is not None else {"candidate_id": candidate_id})
    )
    return version_token(threads.values_list("changed_at", flat=True).first())


def _thread_search(text: str) -> Q:
    """Name words, a phone number in any format, or text from any message of the thread."""
    words = Q()
    for word in text.split(" "):
        words &= Q(candidate__first_name__icontains=word) | Q(candidate__last_name__icontains=word)
    condition = words | Q(
        Exists(Message.objects.filter(thread=OuterRef("pk"), body__icontains=text))
    )
    phone = phone_search(text)
    if phone is not None:
        if phone.e164:
            condition |= Q(phone_number=phone.e164) | Q(candidate__phone=phone.e164)
        for fragment in phone.fragments:
            condition |= Q(phone_number__contains=fragment) | Q(candidate__phone__contains=fragment)
    return condition


def inbox_threads(*, show: str = "all", search: str = "", user=None):
    """Threads for the inbox list, newest first, filtered (INBOX_FILTERS) and searched.

    Each row carries what the list shows (name via the candidate join, the assignee, last
    message, unread count), so a page of the list is one query. Every filter but All leaves out
    closed and snoozed conversations.
    """
    threads = Thread.objects.select_related("candidate", "assigned_to").order_by(
        "-last_message_at", "-id"
    )
    if show != "all":
        threads = threads.filter(in_the_lists(timezone.now()))
    if show == "mine":
        threads = threads.filter(assigned_to=user.pk if user is not None else None)
    elif show == "unassigned":
        threads = threads.filter(assigned_to__isnull=True)
    elif show == "unread":
        threads = threads.filter(unread_count__gt=0)
    elif show == "unknown":
        threads = threads.filter(candidate__isnull=True)
    elif show == "automated":  # threads with a text a stage automation queued
        automated = Message.objects.filter(thread=OuterRef("pk"), automation_rule__isnull=False)
        threads = threads.filter(Exists(automated))
    text = " ".join((search or "").split())
    if text:
        threads = threads.filter(_thread_search(text))
    return threads


def thread_page(threads, *, after: str = "", limit: int = INBOX_PAGE_SIZE):
    """One window of `threads` after the cursor: (rows, cursor of the next window or None)."""
    position = decode_cursor(after)
    if position is not None:
        moment, pk = position
        threads = threads.filter(
            Q(last_message_at__lt=moment) | Q(last_message_at=moment, pk__lt=pk)
        )
    rows = list(threads[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1].last_message_at, rows[-1].pk)


# A scheduled message waiting for its time, or one held for quiet hours, is listed apart from
# the conversation (with Cancel).
# Where a message sits in its conversation: its scheduled time, or when it was written; a
# scheduled message canceled before its time sits where it was canceled, not under a future day.
SORT_AT = Case(
    When(
        status=MessageStatus.CANCELED,
        scheduled_for__isnull=False,
        then=Least("scheduled_for", "updated_at"),
    ),
    default=Coalesce("scheduled_for", "created_at"),
)
_PENDING_SCHEDULED = Q(status=MessageStatus.QUEUED) & (
    Q(scheduled_for__isnull=False, attempts=0) | ~Q(held_for="")
)


def conversation_messages(
    thread: Thread | None, *, before: str = "", since: str = "", limit: int = CONVERSATION_WINDOW
) -> tuple[list[Message], bool]:
    """(messages oldest first, whether earlier ones exist) for a conversation window.

    Messages are ordered by when they went out (or were meant to: a scheduled message by its
    time). The window is the latest `limit` messages (before the `before` cursor: "Load
    earlier"), or every message from the `since` cursor on (a refresh keeps what the client
    already loaded), at most CONVERSATION_REFRESH_MAX.
    """
    if thread is None:
        return [], False
    messages = (
        thread.messages.exclude(_PENDING_SCHEDULED)
        .select_related("sent_by", "template")
        .prefetch_related("attachments")
        .annotate(
            sort_at=SORT_AT,
            was_retried=Exists(Message.objects.filter(retry_of=OuterRef("pk"))),
        )
        .order_by("-sort_at", "-id")
    )
    position = decode_cursor(before)
    if position is not None:
        moment, pk = position
        messages = messages.filter(Q(sort_at__lt=moment) | Q(sort_at=moment, pk__lt=pk))
    position = decode_cursor(since)
    if position is not None:
        moment, pk = position
        messages = messages.filter(Q(sort_at__gt=moment) | Q(sort_at=moment, pk__gte=pk))
        limit = CONVERSATION_REFRESH_MAX
    rows = list(messages[: limit + 1])
    return rows[:limit][::-1], len(rows) > limit


SCHEDULED_MAX = 50  # scheduled and held messages listed under a conversation


class _JSONArray(Aggregate):
    """The aggregated values as one JSON array (PostgreSQL JSONB_AGG, SQLite JSON_GROUP_ARRAY)."""

    function = "JSONB_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)


_ATTACHMENT_FIELDS = list(Attachment._meta.concrete_fields)


def with_attachments(messages) -> list[Message]:
    """The messages with their attachments (what `prefetch_related("attachments")` gives
    `message.attachments.all()`) read in the same query, as one JSON array per message, on
    PostgreSQL and SQLite; another database prefetches them (a second query)."""
    if connection.vendor not in ("postgresql", "sqlite"):
        return list(messages.prefetch_related("attachments"))
    items = JSONObject(**{field.attname: field.attname for field in _ATTACHMENT_FIELDS})
    per_message = (
        Attachment.objects.filter(message=OuterRef("pk"))
        .order_by()
        .values("message")
        .annotate(items=_JSONArray(items))
        .values("items")
    )
    rows = list(messages.annotate(attachment_rows=Subquery(per_message)))
    names = [field.attname for field in _ATTACHMENT_FIELDS]
    for message in rows:
        attachments = [
            Attachment.from_db(
                message._state.db,
                names,
                [_from_json(field, item[field.attname]) for field in _ATTACHMENT_FIELDS],
            )
            for item in message.attachment_rows or []
        ]
        attachments.sort(key=lambda a: (a.position, a.pk))  # Attachment.Meta.ordering
        message._prefetched_objects_cache = {"attachments": attachments}
    return rows


def _from_json(field, value):
    """A column's value as JSON gave it (a datetime as text; SQLite: naive UTC, booleans 0/1)
    back as the field's Python value."""
    if value is None:
        return None
    if isinstance(field, DateTimeField):
        moment = field.to_python(value)
        return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)
    return field.to_python(value)


def conversation_with_scheduled(
    thread: Thread | None, *, since: str = "", limit: int = CONVERSATION_WINDOW
) -> tuple[list[Message], bool, list[Message]]:
    """`conversation_messages(thread, since=since)` and `scheduled_messages(thread)` in one
    query: (window oldest first, whether earlier ones exist, scheduled soonest first)."""
    if thread is None:
        return [], False, []
    window = thread.messages.exclude(_PENDING_SCHEDULED).annotate(sort_at=SORT_AT)
    position = decode_cursor(since)
    if position is not None:
        moment, pk = position
        window = window.filter(Q(sort_at__gt=moment) | Q(sort_at=moment, pk__gte=pk))
        limit = CONVERSATION_REFRESH_MAX
    window_ids = window.order_by("-sort_at", "-id").values("pk")[: limit + 1]
    pending_ids = (
        thread.messages.filter(_PENDING_SCHEDULED)
        .order_by(Coalesce("next_attempt_at", "scheduled_for"), "id")
        .values("pk")[:SCHEDULED_MAX]
    )
    rows = with_attachments(
        # The thread's messages (its index), then those of the two windows.
        thread.messages.filter(Q(pk__in=window_ids) | Q(pk__in=pending_ids))
        .select_related("sent_by", "template")
        .annotate(
            sort_at=SORT_AT,
            was_retried=Exists(Message.objects.filter(retry_of=OuterRef("pk"))),
            is_pending=ExpressionWrapper(_PENDING_SCHEDULED, output_field=BooleanField()),
        )
    )
    shown = sorted((m for m in rows if not m.is_pending), key=lambda m: (m.sort_at, m.pk))
    pending = sorted((m for m in rows if m.is_pending), key=_pending_order)
    return shown[-limit:], len(shown) > limit, pending


def _pending_order(message):
    """`scheduled_messages`' order: Coalesce(next_attempt_at, scheduled_for), then id; none
    last, as PostgreSQL sorts them."""
    at = message.next_attempt_at or message.scheduled_for
    return (at is None, at or _EPOCH, message.pk)


def scheduled_messages(thread: Thread | None) -> list[Message]:
    """The thread's messages waiting for their scheduled time, soonest first."""
    if thread is None:
        return []
    pending = thread.messages.filter(_PENDING_SCHEDULED).select_related("sent_by")
    return list(
        pending.order_by(Coalesce("next_attempt_at", "scheduled_for"), "id")[:SCHEDULED_MAX]
    )


def unread_thread_count(user=None) -> int:
    """Unread conversations in the user's Mine and Unassigned (the navigation badge): one
    COUNT."""
    return Thread.objects.filter(_badge_condition(user, timezone.now())).count()
