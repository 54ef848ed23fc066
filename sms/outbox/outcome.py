"""Recording a send the provider accepted: the row's facts and status, and the candidate's
timeline entry, together (the thread's summary follows by trigger).

On PostgreSQL it is one statement, so one round trip and its own transaction: a data-modifying
CTE updates the message and inserts the timeline entry from what it returned. Elsewhere (the
embedded SQLite) it is a transaction of the two statements.
"""

from __future__ import annotations

from functools import lru_cache

from django.db import connection, transaction
from django.db.models import Case, F, Value, When

from candidates.models import TimelineEvent
from sms.models import STATUS_RANK, Message


def lower_than(status: str) -> list[str]:
    return [s for s, rank in STATUS_RANK.items() if rank < STATUS_RANK[status]]


def forward_to(status: str):
    """`status` for a row of lower rank, else its own: the status only ever moves forward."""
    return Case(When(status__in=lower_than(status), then=Value(status)), default=F("status"))


def save_sent(message_id: int, status: str, fields: dict, event: dict | None) -> None:
    """Move the message forward to `status` with `fields` (column values), and add `event`
    (TimelineEvent fields: candidate_id, kind, actor_id, description, data, created_at), if
    any, in one transaction. The facts are written even if a status callback that raced the
    send already moved the message further; the status is not moved back."""
    if connection.vendor == "postgresql" and event is not None:
        _save_in_one_statement(message_id, status, fields, event)
        return
    # No savepoint when called inside a transaction (tests): the caller's rolls back with it.
    with transaction.atomic(savepoint=False):
        Message.objects.filter(pk=message_id).update(status=forward_to(status), **fields)
        if event is not None:
            TimelineEvent.objects.create(**event)


def _param(field, value):
    # A JSON column's value is psycopg's Jsonb: typed, so the statement needs no cast.
    return field.get_db_prep_save(value, connection)


def _save_in_one_statement(message_id: int, status: str, fields: dict, event: dict) -> None:
    sql, message_fields, event_fields = _statement(status, tuple(fields), tuple(event))
    params = [*lower_than(status), status]
    params += map(_param, message_fields, fields.values())
    params.append(message_id)
    params += map(_param, event_fields, event.values())  # an id (candidate_id) prepares as itself
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@lru_cache(maxsize=32)
def _statement(status: str, names: tuple[str, ...], event_names: tuple[str, ...]):
    """The statement for these columns (built once per shape: a send always writes the same
    ones), with the fields whose values it takes, in order (after the status's: the lower
    ranks, then the status)."""
    quote = connection.ops.quote_name
    message, timeline = Message._meta, TimelineEvent._meta
    lower = ", ".join(["%s"] * len(lower_than(status)))
    assignments = [f"status = CASE WHEN status IN ({lower}) THEN %s ELSE status END"]
    message_fields = [message.get_field(name) for name in names]
    assignments += [f"{quote(f.column)} = %s" for f in message_fields]
    event_fields = [timeline.get_field(name.removesuffix("_id")) for name in event_names]
    columns = ", ".join(quote(field.column) for field in event_fields)
    values = ", ".join(["%s"] * len(event_fields))
    # Identifiers come from the models' metadata; every value is a parameter.
    update = f"UPDATE {quote(message.db_table)} SET {', '.join(assignments)}"  # noqa: S608
    insert = f"INSERT INTO {quote(timeline.db_table)} ({columns})"
    sql = f"WITH sent AS ({update} WHERE id = %s RETURNING id) {insert} "
    sql += f"SELECT {values} FROM sent"  # noqa: S608
    return sql, message_fields, event_fields
