"""Claiming a queued message and loading everything its send needs.

The claim is one conditional UPDATE (`queued` and due → `sending`): a redelivered or duplicated
task finds the row taken and sends nothing. On PostgreSQL the claim and the load are one
statement (a data-modifying CTE whose RETURNING row is joined to the thread, the candidate and
the sender, with the number's opt-out in force, whether stored files are attached and the
active integration's id and version as subqueries): one round trip, and nothing is loaded
unless the claim succeeded. Elsewhere (the embedded SQLite) the same SELECT follows the claim.

Both statements are written by hand from the models' metadata, once per process: the ORM
spends several milliseconds of CPU compiling a select_related query with four subqueries,
most of a warm send's own work.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from candidates.models import Candidate
from integrations.models import Integration
from sms.models import (
    Attachment,
    AttachmentStatus,
    Direction,
    Message,
    MessageStatus,
    OptOut,
    Thread,
)

# What one row holds, after the four objects' columns (message m, thread t, candidate c, sender u).
EXTRAS = ("standing_opt_out_id", "has_media", "active_integration_id", "active_updated_at")


def _claim_sql(*, with_sender: bool) -> str:
    """The conditional claim (parameters: `_claim_params`)."""
    table = connection.ops.quote_name(Message._meta.db_table)
    extra = ", provider = %s, from_number = %s" if with_sender else ""
    return (
        f"UPDATE {table} SET status = %s, claimed_at = %s, attempts = attempts + 1, "  # noqa: S608
        f"updated_at = %s{extra} WHERE id = %s AND direction = %s AND status = %s "
        "AND (next_attempt_at IS NULL OR next_attempt_at <= %s)"
    )


def _claim_params(message_id: int, provider: str, sender: str) -> list:
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sender_params = [provider, sender] if provider else []
    return [
        MessageStatus.SENDING, now, now, *sender_params,
        message_id, Direction.OUTBOUND, MessageStatus.QUEUED, now,
    ]  # fmt: skip


def claim_for_sending(message_id: int, *, provider: str = "", sender: str = "") -> bool:
    """Atomically mark a queued, due message as sending. False: someone else has it (or it is
    not due, or no longer queued): the caller must not send. `provider` and `sender` (the
    integration expected to send it) are recorded in the same statement, so that a message
    whose worker dies during the call still says where it went."""
    with connection.cursor() as cursor:
        cursor.execute(
            _claim_sql(with_sender=bool(provider)), _claim_params(message_id, provider, sender)
        )
        return cursor.rowcount == 1


def claim_and_load(message_id: int, *, provider: str = "", sender: str = "") -> Message | None:
    """Claim the message (as `claim_for_sending`) and return it loaded for its send
    (`load_claimed`), or None when the claim found it taken, not due or gone."""
    if connection.vendor != "postgresql":
        if not claim_for_sending(message_id, provider=provider, sender=sender):
            return None
        return load_claimed(message_id)
    claim = _claim_sql(with_sender=bool(provider))
    sql = f"WITH claimed AS ({claim} RETURNING *) {_select('claimed')}"
    return _fetch(sql, [*_claim_params(message_id, provider, sender), *_select_params()])


def load_claimed(message_id: int) -> Message | None:
    """The message with everything the send needs, in one query: its thread and candidate, the
    sender, and as attributes the number's opt-out in force (`standing_opt_out_id`), whether it
    carries stored files (`has_media`: a plain SMS spends no query on attachments) and the
    active integration's id and version (`active_integration_id`, `…_updated_at`). The opt-out
    a confirmation answers is loaded only for confirmations (rare), when it is read."""
    table = connection.ops.quote_name(Message._meta.db_table)
    return _fetch(f"{_select(table)} WHERE m.id = %s", [*_select_params(), message_id])


def _fetch(sql: str, params: list) -> Message | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return _message_from(row) if row is not None else None


@dataclass(frozen=True)
class _Part:
    model: type[Model]
    alias: str
    attnames: tuple[str, ...]
    converters: tuple  # ((index, (converter, ...), expression), ...) for the fields that need it


def _part(model: type[Model], alias: str) -> _Part:
    fields = model._meta.concrete_fields
    converters = []
    for index, field in enumerate(fields):
        expression = field.get_col(alias)
        found = connection.ops.get_db_converters(expression) + field.get_db_converters(connection)
        if found:
            converters.append((index, tuple(found), expression))
    return _Part(model, alias, tuple(f.attname for f in fields), tuple(converters))


@cache
def _parts(vendor: str) -> tuple[_Part, ...]:
    """The message, its thread, the thread's candidate and the sender (built per process: the
    user model is known once the apps are loaded)."""
    models = (Message, "m"), (Thread, "t"), (Candidate, "c"), (get_user_model(), "u")
    return tuple(_part(model, alias) for model, alias in models)


@cache
def _select_template(vendor: str) -> str:
    """The SELECT for one message, `{source}` being the table (or the claim's CTE) as `m`."""
    quote = connection.ops.quote_name
    columns = [
        f"{part.alias}.{quote(part.model._meta.get_field(name).column)}"
        for part in _parts(vendor)
        for name in part.attnames
    ]
    opt_out, attachment = quote(OptOut._meta.db_table), quote(Attachment._meta.db_table)
    integration = quote(Integration._meta.db_table)
    active = f"FROM {integration} i WHERE i.is_active = %s ORDER BY i.id LIMIT 1"
    columns += [  # identifiers from the models' metadata; every value is a parameter
        f"(SELECT o.id FROM {opt_out} o WHERE o.phone_number = m.to_number AND o.opted_out = %s)",  # noqa: S608
        f"EXISTS (SELECT 1 FROM {attachment} a WHERE a.message_id = m.id AND a.status = %s)",  # noqa: S608
        f"(SELECT i.id {active})",
        f"(SELECT i.updated_at {active})",
    ]
    thread, candidate = quote(Thread._meta.db_table), quote(Candidate._meta.db_table)
    user = quote(get_user_model()._meta.db_table)
    return (
        f"SELECT {', '.join(columns)} FROM {{source}} m "  # noqa: S608 - identifiers only
        f"LEFT JOIN {thread} t ON t.id = m.thread_id "
        f"LEFT JOIN {candidate} c ON c.id = t.candidate_id "
        f"LEFT JOIN {user} u ON u.id = m.sent_by_id"
    )


def _select(source: str) -> str:
    return _select_template(connection.vendor).replace("{source}", source, 1)


def _select_params() -> list:
    return [True, AttachmentStatus.STORED, True, True]


def _message_from(row: tuple) -> Message:
    """Build the message, its thread, candidate and sender from one row (as select_related
    would: None where the relation is empty), with the extras as attributes."""
    objects, start = [], 0
    for part in _parts(connection.vendor):
        values = list(row[start : start + len(part.attnames)])
        start += len(part.attnames)
        objects.append(_instance(part, values))
    message, thread, candidate, sent_by = objects
    extras = dict(zip(EXTRAS, row[start:], strict=True))
    extras["has_media"] = bool(extras["has_media"])
    extras["active_integration_updated_at"] = _integration_time(extras.pop("active_updated_at"))
    Message._meta.get_field("thread").set_cached_value(message, thread)
    Message._meta.get_field("sent_by").set_cached_value(message, sent_by)
    if thread is not None:
        Thread._meta.get_field("candidate").set_cached_value(thread, candidate)
    message.__dict__.update(extras)
    return message


def _instance(part: _Part, values: list) -> Model | None:
    if values[0] is None:  # the primary key: nothing joined
        return None
    for index, converters, expression in part.converters:
        for converter in converters:
            values[index] = converter(values[index], expression, connection)
    return part.model.from_db(connection.alias, part.attnames, values)


def _integration_time(value):
    """The active version's `updated_at` as the ORM reads it (SQLite returns text)."""
    field = Integration._meta.get_field("updated_at")
    expression = field.get_col("i")
    for converter in connection.ops.get_db_converters(expression):
        value = converter(value, expression, connection)
    return value
