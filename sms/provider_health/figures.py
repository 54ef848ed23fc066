"""How each provider is doing, from the messages themselves: a few aggregate queries for every
card at once (`provider_health`), whatever the number of messages."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from integrations.models import Integration
from integrations.providers import provider_class
from sms.models import IN_FLIGHT, Direction, Message, MessageStatus

FAILED = (MessageStatus.FAILED, MessageStatus.UNDELIVERED)
TOP_FAILURES = 3
# "The last 20 sends failed with 21606": judged on this many of the latest finished sends (and
# said from this many on, when fewer exist).
RECENT_SENDS = 20
RECENT_SENDS_MIN = 5
# Receipts take a moment: sends younger than this do not count towards "no receipts yet".
RECEIPT_GRACE = timedelta(minutes=10)
RECEIPTS_MISSING_MIN = 3


@dataclass(frozen=True)
class Counts:
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    unknown: int = 0


@dataclass
class Health:
    last_inbound_at: datetime | None = None
    last_receipt_at: datetime | None = None
    day: Counts = field(default_factory=Counts)
    week: Counts = field(default_factory=Counts)
    # [(plain words, error code, count)], most frequent first, last 7 days
    top_failures: list[tuple[str, str, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def windows(self) -> list[tuple[str, Counts]]:
        return [("Last 24 hours", self.day), ("Last 7 days", self.week)]


def _outcomes(kinds: list[str], now):
    """The 24 h and 7 day counts and the failure codes of the last 7 days, in one query (grouped
    by error code: the windows are the sums)."""
    day_ago, week_ago = now - timedelta(days=1), now - timedelta(days=7)
    counts = {}
    for since, name in ((day_ago, "day"), (week_ago, "week")):
        recent = Q(created_at__gte=since)
        counts[f"sent_{name}"] = Count("pk", filter=recent & Q(sent_at__isnull=False))
        counts[f"delivered_{name}"] = Count("pk", filter=recent & Q(status=MessageStatus.DELIVERED))
        counts[f"failed_{name}"] = Count("pk", filter=recent & Q(status__in=FAILED))
        counts[f"unknown_{name}"] = Count("pk", filter=recent & Q(status=MessageStatus.UNKNOWN))
    rows = (
        Message.objects.filter(
            direction=Direction.OUTBOUND, provider__in=kinds, created_at__gte=week_ago
        )
        .values("provider", "error_code")
        .annotate(**counts)
        .order_by()
    )
    metrics = ("sent", "delivered", "failed", "unknown")
    windows: dict[str, dict[str, dict[str, int]]] = defaultdict(
        lambda: {"day": dict.fromkeys(metrics, 0), "week": dict.fromkeys(metrics, 0)}
    )
    failures: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for row in rows:
        for name in ("day", "week"):
            for metric in metrics:
                windows[row["provider"]][name][metric] += row[f"{metric}_{name}"]
        if row["failed_week"]:
            failures[row["provider"]].append((row["error_code"], row["failed_week"]))
    for codes in failures.values():
        codes.sort(key=lambda item: (-item[1], item[0]))
    return (
        {kind: (Counts(**w["day"]), Counts(**w["week"])) for kind, w in windows.items()},
        failures,
    )


def _latest(kinds: list[str], now):
    """Each provider's last inbound message and last receipt, and, for an active provider that
    has had no receipt since it was activated, how many sends since then: one query on the
    provider rows (the count only runs where it is needed)."""
    inbound = Message.objects.filter(provider=OuterRef("kind"), direction=Direction.INBOUND)
    receipts = Message.objects.filter(provider=OuterRef("kind"), receipt_at__isnull=False)
    last_receipt = Subquery(receipts.order_by("-receipt_at").values("receipt_at")[:1])
    sent_since = (
        Message.objects.filter(
            provider=OuterRef("kind"),
            direction=Direction.OUTBOUND,
            sent_at__gte=OuterRef("activated_at"),
            sent_at__lte=now - RECEIPT_GRACE,
        )
        .order_by()
        .values("provider")
        .annotate(n=Count("pk"))
        .values("n")
    )
    never_receipted = Q(is_active=True, activated_at__isnull=False) & (
        Q(last_receipt_at__isnull=True) | Q(last_receipt_at__lt=F("activated_at"))
    )
    rows = (
        Integration.objects.filter(kind__in=kinds)
        .annotate(
            last_inbound_at=Subquery(inbound.order_by("-created_at").values("created_at")[:1]),
            last_receipt_at=last_receipt,
        )
        .annotate(
            receipts_missing=Case(
                When(never_receipted, then=Subquery(sent_since[:1])),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .values_list("kind", "last_inbound_at", "last_receipt_at", "receipts_missing")
    )
    return {
        kind: (inbound_at, receipt_at, missing or 0)
        for kind, inbound_at, receipt_at, missing in rows
    }


def _recent_sends(kinds: list[str]) -> dict[str, list[tuple[str, str]]]:
    """The latest finished sends of each provider: [(status, error code)], newest first."""
    newest_first = [F("created_at").desc(), F("id").desc()]
    rows = (
        Message.objects.filter(direction=Direction.OUTBOUND, provider__in=kinds)
        .exclude(status__in=IN_FLIGHT)
        .annotate(rank=Window(RowNumber(), partition_by=[F("provider")], order_by=newest_first))
        .filter(rank__lte=RECENT_SENDS)
        .values_list("provider", "status", "error_code")
    )
    by_provider = defaultdict(list)
    for provider, status, code in rows:
        by_provider[provider].append((status, code))
    return by_provider


def provider_health(integrations: list[Integration]) -> dict[str, Health]:
    """{provider kind: Health} for every card, in three queries whatever the data."""
    now = timezone.now()
    kinds = [integration.kind for integration in integrations]
    windows, failures = _outcomes(kinds, now)
    latest = _latest(kinds, now)
    recent = _recent_sends(kinds)
    result = {}
    for integration in integrations:
        kind = integration.kind
        provider = provider_class(kind)
        last_inbound, last_receipt, missing = latest.get(kind, (None, None, 0))
        day, week = windows.get(kind, (Counts(), Counts()))
        health = Health(last_inbound, last_receipt, day, week)
        health.top_failures = [
            (provider.failure_family(code), code, count)
            for code, count in failures.get(kind, [])[:TOP_FAILURES]
        ]
        if missing >= RECEIPTS_MISSING_MIN:
            health.warnings.append(
                f"No delivery receipts received since activation ({missing:,} sent): webhooks "
                "may not be connected, or PUBLIC_BASE_URL is not the address "
                f"{provider.display_name} can reach."
            )
        sends = recent.get(kind, [])
        codes = {code for status, code in sends if status in FAILED}
        if (
            len(sends) >= RECENT_SENDS_MIN
            and all(status in FAILED for status, _ in sends)
            and len(codes) == 1
        ):
            (code,) = codes
            label = f" with {code}" if code else ""
            health.warnings.append(
                f"The last {len(sends)} sends failed{label}: {provider.failure_family(code)}."
            )
        result[kind] = health
    return result
