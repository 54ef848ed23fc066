"""The SMS Analytics figures: a few aggregate queries, whatever the number of messages.

Definitions (also shown on the page):
- A message counts on the day it was written (queued), in the current time zone; test messages
  from the Integrations page do not count.
- Sent: accepted by the provider. Delivered: the provider reported delivery. Failed: refused
  or not delivered. Outcome unknown: the provider may or may not have sent it.
- Replies: inbound messages. Each counts for the outbound message it answers (the thread's
  latest when it arrived, `Message.in_reply_to`), so for that message's recruiter, template and
  job.
- Opt-outs: numbers that opted out that day and are still opted out; each counts for the last
  message sent to that number before it.
- Delivery rate = delivered ÷ sent; reply rate = replies ÷ sent.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from candidates.models import Job
from integrations.models import ProviderKind
from sms.models import Direction, Message, MessageStatus, OptOut, SmsTemplate

OUTBOUND = Q(direction=Direction.OUTBOUND)
FAILED = (MessageStatus.FAILED, MessageStatus.UNDELIVERED)
METRICS = ("sent", "delivered", "failed", "unknown", "replies", "opt_outs")
DIMENSIONS = {
    "recruiter": "By recruiter",
    "template": "By template",
    "job": "By job",
    "provider": "By provider",
}
NONE_LABELS = {
    "recruiter": "No recruiter (system)",
    "template": "No template",
    "job": "No job",
    "provider": "No provider (not sent)",
}


@dataclass
class Row:
    label: str
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    unknown: int = 0
    replies: int = 0
    opt_outs: int = 0
    key: object = None  # the day, or the id the row is about

    def add(self, **counts: int) -> None:
        for name, value in counts.items():
            setattr(self, name, getattr(self, name) + (value or 0))

    @property
    def delivery_rate(self) -> float | None:
        return self.delivered / self.sent if self.sent else None

    @property
    def reply_rate(self) -> float | None:
        return self.replies / self.sent if self.sent else None

    @property
    def delivery_percent(self) -> str:
        return _percent(self.delivery_rate)

    @property
    def reply_percent(self) -> str:
        return _percent(self.reply_rate)


def _percent(rate: float | None) -> str:
    """92.3, or "" without a rate (nothing sent)."""
    return "" if rate is None else f"{rate * 100:.1f}"


@dataclass
class Report:
    start: dt.date
    end: dt.date
    days: list[Row]
    total: Row
    breakdowns: dict[str, list[Row]] = field(default_factory=dict)


# Whether a message counts towards each figure: a boolean column per figure, counted per group.
FLAGS = {
    "sent": OUTBOUND & Q(sent_at__isnull=False),
    "delivered": OUTBOUND & Q(status=MessageStatus.DELIVERED),
    "failed": OUTBOUND & Q(status__in=FAILED),
    "unknown": OUTBOUND & Q(status=MessageStatus.UNKNOWN),
    "replies": Q(direction=Direction.INBOUND),
}
GROUPS = ("day", *DIMENSIONS)  # what the figures are grouped by


def _flag(condition: Q):
    return ExpressionWrapper(condition, output_field=BooleanField())


def _attributed(name: str):
    """An outbound message's own `name`; a reply's (it has none of its own), the message it
    answers."""
    return Coalesce(F(name), F(f"in_reply_to__{name}"))


def _labels(dimension: str, ids: set) -> dict:
    ids = {pk for pk in ids if pk is not None}
    if dimension == "provider":
        return dict(ProviderKind.choices)
    if not ids:
        return {}
    if dimension == "recruiter":
        users = get_user_model().objects.filter(pk__in=ids)
        return {user.pk: user.get_full_name() or user.get_username() for user in users}
    model = SmsTemplate if dimension == "template" else Job
    field_name = "name" if dimension == "template" else "title"
    return dict(model.objects.filter(pk__in=ids).values_list("pk", field_name))


def _grouped(counted):
    """[(group, key, {figure: count})] for every group of GROUPS, from the per-message rows.

    PostgreSQL computes every group in one pass (GROUPING SETS: one scan of the range instead
    of five; `make bench` measures it at 200,000 messages); other databases (the embedded
    SQLite) group once per group with the ORM.
    """
    if connection.vendor != "postgresql":
        counts = {name: Count("pk", filter=Q(**{f"f_{name}": True})) for name in FLAGS}
        for group in GROUPS:
            for row in counted.values(f"g_{group}").annotate(**counts).order_by():
                key = row.pop(f"g_{group}")
                yield group, key, row
        return
    inner, params = counted.query.sql_with_params()
    quote = connection.ops.quote_name
    groups = [quote(f"g_{group}") for group in GROUPS]
    counts = [f"COUNT(*) FILTER (WHERE {quote(f'f_{name}')})" for name in FLAGS]
    columns = ", ".join([*(f"GROUPING({group})" for group in groups), *groups, *counts])
    sets = ", ".join(f"({group})" for group in groups)
    # Only this module's quoted column names are formatted in; every value stays a parameter.
    sql = f"SELECT {columns} FROM ({inner}) AS counted GROUP BY GROUPING SETS ({sets})"  # noqa: S608
    width = len(GROUPS)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            grouping, keys, figures = row[:width], row[width : 2 * width], row[2 * width :]
            index = grouping.index(0)  # the group this row is about (its GROUPING() is 0)
            yield GROUPS[index], keys[index], dict(zip(FLAGS, figures, strict=True))


def sms_report(start: dt.date, end: dt.date, tz: dt.tzinfo | None = None) -> Report:
    """Every figure for the days `start`..`end` (inclusive) in `tz` (the current time zone)."""
    if connection.vendor != "postgresql":
        return _report(start, end, tz)
    with transaction.atomic():
        # A few large aggregates: PostgreSQL's JIT compilation costs more than it saves here
        # (about 50 ms per query at 200,000 messages). SET LOCAL ends with the transaction.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        return _report(start, end, tz)


def _report(start: dt.date, end: dt.date, tz: dt.tzinfo | None) -> Report:
    tz = tz or timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    messages = Message.objects.filter(created_at__gte=since, created_at__lt=until, is_test=False)

    days = {
        start + dt.timedelta(days=i): Row(label="", key=start + dt.timedelta(days=i))
        for i in range((end - start).days + 1)
    }
    # 1. One row per message with its day, what it counts for and its 0/1 figures, grouped by
    # day and by each dimension.
    counted = (
        messages.annotate(
            g_day=TruncDate("created_at", tzinfo=tz),
            g_recruiter=_attributed("sent_by"),
            g_template=_attributed("template"),
            g_job=_attributed("job"),
            g_provider=F("provider"),  # a reply arrives through its own provider
            **{f"f_{name}": _flag(condition) for name, condition in FLAGS.items()},
        )
        .values(*(f"g_{group}" for group in GROUPS), *(f"f_{name}" for name in FLAGS))
        .order_by()
    )
    rolled: dict[str, dict] = {
        dimension: defaultdict(lambda: Row(label="")) for dimension in DIMENSIONS
    }
    for group, key, counts in _grouped(counted):
        if group == "day":
            if key in days:
                days[key].add(**counts)
        else:
            rolled[group][key or None].add(**counts)

    # 3. opt-outs, per day and attributed to the last message sent to the number before it
    last_sent = Message.objects.filter(
        thread__phone_number=OuterRef("phone_number"),
        direction=Direction.OUTBOUND,
        is_test=False,
        created_at__lte=OuterRef("changed_at"),
    ).order_by("-created_at")  # (thread, created_at) index, read backwards: first row wins
    opt_outs = list(
        OptOut.objects.filter(opted_out=True, changed_at__gte=since, changed_at__lt=until)
        .annotate(
            day=TruncDate("changed_at", tzinfo=tz), message_id=Subquery(last_sent.values("pk")[:1])
        )
        .values_list("day", "message_id", "provider")
    )
    attributes = {
        pk: (recruiter, template, job, provider)
        for pk, recruiter, template, job, provider in Message.objects.filter(
            pk__in={message_id for _, message_id, _ in opt_outs if message_id}
        ).values_list("pk", "sent_by", "template", "job", "provider")
    }
    for day, message_id, provider in opt_outs:
        if day in days:
            days[day].opt_outs += 1
        recruiter, template, job, sent_provider = attributes.get(message_id, (None,) * 4)
        for dimension, key in (
            ("recruiter", recruiter),
            ("template", template),
            ("job", job),
            ("provider", provider or sent_provider),
        ):
            rolled[dimension][key or None].opt_outs += 1

    total = Row(label="Total")
    for row in days.values():
        total.add(**{metric: getattr(row, metric) for metric in METRICS})
    breakdowns = {}
    for dimension, rows in rolled.items():
        labels = _labels(dimension, set(rows))
        for key, row in rows.items():
            row.key = key
            row.label = (
                labels.get(key, NONE_LABELS[dimension])
                if key is not None
                else NONE_LABELS[dimension]
            )
        breakdowns[dimension] = sorted(rows.values(), key=lambda r: (-r.sent, -r.replies, r.label))
    return Report(
        start=start, end=end, days=list(days.values()), total=total, breakdowns=breakdowns
    )
