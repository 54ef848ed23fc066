"""The sending integration, kept in memory per process for the send path.

Every send needs the active provider's settings (kind, credentials, sender): reading them is a
query and a decryption per message. Instead, the send task's load query carries the active
row's id and `updated_at` as two subqueries (`version_annotations`: no extra round trip), and
`sending_integration` returns the copy this process holds while they match. Every settings
change saves `updated_at` (`auto_now`, and the `update()` calls in this app set it), so a
changed setting is re-read by the next send in every process, and a deactivated provider is
seen at once (the subquery finds no active row). The copy is also dropped when the encryption
keys change (the secret was decrypted with them).
"""

from __future__ import annotations

import hashlib
import threading
from datetime import datetime

from django.conf import settings
from django.db.models import Subquery

from integrations.models import Integration

_lock = threading.Lock()
_cached: tuple[tuple, Integration] | None = None


def version_annotations() -> dict:
    """Annotations naming the active integration and its version, for the caller's query."""
    active = Integration.objects.filter(is_active=True).order_by("pk")
    return {
        "active_integration_id": Subquery(active.values("pk")[:1]),
        "active_integration_updated_at": Subquery(active.values("updated_at")[:1]),
    }


def _keys_fingerprint() -> str:
    keys = "\n".join(str(key) for key in settings.FIELD_ENCRYPTION_KEYS or ())
    return hashlib.sha256(keys.encode()).hexdigest()


def sending_integration(integration_id: int | None, updated_at: datetime | None):
    """The active integration as of the caller's query (`version_annotations`), or None when
    none is active: this process's copy while its id and version match, else read again."""
    global _cached
    if integration_id is None:
        return None
    fingerprint = _keys_fingerprint()
    with _lock:
        if _cached is not None and _cached[0] == (integration_id, updated_at, fingerprint):
            return _cached[1]
    integration = Integration.objects.filter(pk=integration_id, is_active=True).first()
    if integration is None:  # deactivated since the caller's query
        return None
    with _lock:
        _cached = ((integration.pk, integration.updated_at, fingerprint), integration)
    return integration


def peek() -> Integration | None:
    """The copy this process holds (maybe stale: the caller checks it with its own query)."""
    with _lock:
        return _cached[1] if _cached is not None else None


def forget() -> None:
    """Drop the copy (between tests)."""
    global _cached
    with _lock:
        _cached = None
