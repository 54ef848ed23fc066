"""The SMS policy in force (Administration → SMS Settings): quiet hours, the bulk cap, the
consent rule and the automatic replies.

Every send asks for it, and pages ask several times per request, so it is kept in memory for a
few seconds per process (at most one query per POLICY_TTL_SECONDS); `save_policy` replaces the
copy of the process that saved it at once, other processes see the change within the TTL.
"""

from __future__ import annotations

import threading
import time as clock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from core.time_zones import zone_or_none
from sms.models import PolicyChange, SmsPolicy
from sms.text.merge import FIELD_PATTERN

POLICY_TTL_SECONDS = 5.0

_lock = threading.Lock()
_cached: tuple[SmsPolicy, float] | None = None


def current_policy() -> SmsPolicy:
    """The saved policy, or the defaults until an administrator first saves one."""
    global _cached
    with _lock:
        if _cached is not None and _cached[1] > clock.monotonic():
            return _cached[0]
    policy = SmsPolicy.objects.filter(pk=1).first() or SmsPolicy(pk=1)
    with _lock:
        _cached = (policy, clock.monotonic() + POLICY_TTL_SECONDS)
    return policy


def forget_policy() -> None:
    """Drop the in-memory copy (between tests)."""
    global _cached
    with _lock:
        _cached = None


def remember_policy(policy: SmsPolicy) -> None:
    """Keep `policy` as the in-memory copy: it was just saved."""
    global _cached
    with _lock:
        _cached = (policy, clock.monotonic() + POLICY_TTL_SECONDS)


def company_zone(policy: SmsPolicy | None = None) -> ZoneInfo:
    """The zone for candidates whose own zone is unknown: the policy's, else TIME_ZONE."""
    policy = policy or current_policy()
    return zone_or_none(policy.company_time_zone) or ZoneInfo(settings.TIME_ZONE)


def fill_company_name(text: str) -> str:
    """An automatic reply's text as sent: {{company_name}} is its only merge field."""
    return FIELD_PATTERN.sub(
        lambda match: settings.COMPANY_NAME if match.group(1) == "company_name" else "",
        text,
    ).strip()


def _shown(policy: SmsPolicy, name: str) -> str:
    value = getattr(policy, name)
    if isinstance(value, bool):
        return "on" if value else "off"
    if hasattr(value, "strftime"):
        return value.strftime("%H:%M")
    return str(value) if value not in ("", None) else "(empty)"


def save_policy(changes: dict, *, by) -> PolicyChange | None:
    """Apply `changes` ({field name: value}) to the policy, and audit what changed.

    Returns the audit entry, or None when nothing changed (saving an unchanged form records
    nothing).
    """
    with transaction.atomic():
        policy = SmsPolicy.objects.select_for_update().filter(pk=1).first() or SmsPolicy(pk=1)
        diff = []
        for name, value in changes.items():
            before = _shown(policy, name)
            if getattr(policy, name) != value:
                setattr(policy, name, value)
                diff.append(
                    {
                        "setting": str(SmsPolicy._meta.get_field(name).verbose_name),
                        "from": before,
                        "to": _shown(policy, name),
                    }
                )
        if not diff:
            return None
        policy.updated_by = by
        policy.save()
        entry = PolicyChange.objects.create(changed_by=by, changes=diff)
        forget_policy()  # read again, inside this transaction too
        transaction.on_commit(lambda: remember_policy(policy))
    return entry
