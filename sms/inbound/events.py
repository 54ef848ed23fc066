"""Storing a webhook first: one `INSERT … ON CONFLICT DO NOTHING` for the events of a request,
then a processing task published after commit (in-process without Redis).

On a Redis broker the publications coalesce: a webhook publishes a task only when it sets the
"processing requested" flag (`SET NX`, one round trip); the task clears the flag and drains
once more, so an event stored while a task is queued or running is processed by that task (and
the sweeper is the safety net if the flag's task is lost). A task that finds a backlog (a full
batch) asks for one helper the same way (its own flag), so that a second worker drains beside
it (`SKIP LOCKED` gives each its own batches).

What a webhook carries is kept twice: the raw request body, as received, and the adapter's
normalized event (`InboundSms` / `StatusEvent`) as JSON, which processing reads back. A
provider's duplicate (same provider, kind and event id) inserts nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
from datetime import datetime

import redis
from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from integrations.providers.base import InboundMedia, InboundSms, StatusEvent
from sms.models import ProviderEvent
from sms.text.cleaning import clean, json_safe

logger = logging.getLogger(__name__)

PROCESS_TASK = "sms.process_provider_events"
PROCESSING_FLAG = "nextal:sms:process-events-requested"
HELPER_FLAG = "nextal:sms:process-events-helper"
# Longer than a task's drain budget; a flag whose task was lost expires after it.
FLAG_SECONDS = 60
KIND_OF = {InboundSms: ProviderEvent.Kind.INBOUND, StatusEvent: ProviderEvent.Kind.STATUS}
CLASS_OF = {kind: cls for cls, kind in KIND_OF.items()}
_DATETIME = "$datetime"


def to_payload(event: InboundSms | StatusEvent) -> dict:
    """The normalized event as JSON (datetimes tagged so that they come back as datetimes)."""
    payload = {}
    for field in dataclasses.fields(event):
        value = getattr(event, field.name)
        if isinstance(value, datetime):
            value = {_DATETIME: value.isoformat()}
        elif isinstance(value, tuple | list):  # an MMS's media (InboundMedia)
            value = [dataclasses.asdict(v) if dataclasses.is_dataclass(v) else v for v in value]
        payload[field.name] = json_safe(value)
    return payload


def from_payload(kind: str, payload: dict) -> InboundSms | StatusEvent:
    """The event `to_payload` stored (fields it does not know are left out)."""
    cls = CLASS_OF[kind]
    values = {}
    for field in dataclasses.fields(cls):
        if field.name not in payload:
            continue
        value = payload[field.name]
        if isinstance(value, dict) and set(value) == {_DATETIME}:
            value = parse_datetime(value[_DATETIME])
        elif field.name == "media":
            value = tuple(InboundMedia(**item) for item in value or ())
        values[field.name] = value
    return cls(**values)


def event_id(event: InboundSms | StatusEvent, payload: dict) -> str:
    """What makes a delivery of this event a duplicate: the provider's message id (inbound), or
    its id and status (several statuses arrive per message); a hash when there is no id."""
    message_id = clean(event.provider_message_id, 64).strip()
    if isinstance(event, StatusEvent):
        reference = message_id or (f"ref:{clean(event.reference, 40)}" if event.reference else "")
        if reference:
            return f"{reference}:{clean(event.status, 20)}"
    elif message_id:
        return message_id
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    return f"sha256:{digest}"


def store_events(provider: str, raw_body: bytes, events: list) -> list[int]:
    """Store a request's events in one statement; returns the ids of those that were new."""
    if not events:
        return []
    body = raw_body.decode("utf-8", "replace").replace("\x00", "\ufffd")
    now = timezone.now()
    table = ProviderEvent._meta.db_table
    json_param = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    rows, params = [], []
    for event in events:
        payload = to_payload(event)
        rows.append(f"(%s, %s, %s, %s, {json_param}, %s, 0, '')")
        params += [provider, KIND_OF[type(event)], event_id(event, payload), body]
        params += [json.dumps(payload), now]
    # The table is the model's and every value a parameter.
    columns = "provider, kind, event_id, body, payload, received_at, attempts, error"
    sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join(rows)}"  # noqa: S608
    sql += " ON CONFLICT DO NOTHING RETURNING id"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        new_ids = [row[0] for row in cursor.fetchall()]
    duplicates = len(events) - len(new_ids)
    if duplicates:
        logger.info("%d duplicate %s webhook event(s) ignored", duplicates, provider)
    if new_ids:
        transaction.on_commit(lambda: publish_processing(new_ids))
    return new_ids


_flag_client: redis.Redis | None = None


def _flags() -> redis.Redis | None:
    """The broker's Redis, for the coalescing flag (None: publish every time)."""
    global _flag_client
    url = current_app.conf.broker_url or ""
    if current_app.conf.task_always_eager or not url.startswith(("redis://", "rediss://")):
        return None
    if _flag_client is None:
        timeout = settings.CELERY_BROKER_CONNECTION_TIMEOUT
        _flag_client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
    return _flag_client


def release_processing_flag(*, helper: bool) -> None:
    """A processing task is about to look for pending events one last time: a webhook stored
    from now on publishes a new task (a helper's: a new backlog asks for a new helper)."""
    flags = _flags()
    if flags is not None:
        with contextlib.suppress(redis.RedisError):  # it expires by itself
            flags.delete(HELPER_FLAG if helper else PROCESSING_FLAG)


def request_helper() -> bool:
    """A task found a backlog: ask for one more task beside it, unless one is queued or
    running (or there is no flag to tell: without Redis each webhook publishes its own task,
    in-process without a broker)."""
    if _flags() is None:
        return False
    return publish_processing([], helper=True)


def publish_processing(
    event_ids: list[int], *, coalesce: bool = True, helper: bool = False
) -> bool:
    """Ask a worker to process pending events (these among them), unless a task already asked
    for will (`coalesce`; `helper`: a second task beside the one that asks). Never raises: an
    event whose task was not published is processed by the sweeper."""
    flags = _flags() if coalesce else None
    flag = HELPER_FLAG if helper else PROCESSING_FLAG
    try:
        if flags is not None and not flags.set(flag, "1", nx=True, ex=FLAG_SECONDS):
            return True  # a task is queued or running and looks again before it stops
        task = current_app.tasks[PROCESS_TASK]
        if helper:
            task.delay(event_ids, helper=True)
        else:
            task.delay(event_ids)
    except Exception as exc:  # kombu/redis raise several types; all mean "not published"
        if flags is not None:
            with contextlib.suppress(redis.RedisError):
                flags.delete(flag)
        logger.warning(
            "Could not publish the processing of %d webhook event(s) (%s: %s); the sweeper "
            "will process them.",
            len(event_ids),
            type(exc).__name__,
            exc,
        )
        return False
    return True
