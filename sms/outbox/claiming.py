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


def _claim_sql(*, with_sender: bool) -> str:
    """The conditional claim (parameters: `_claim_params`)."""
    table = connection.ops.quote_name(Message._meta.db_table)
    due = connection.ops.quote_name(Message._meta.get_field("next_attempt_at").column)
    extra = ", provider = %s, from_number = %s" if with_sender else ""
    return (
        f"UPDATE {table} SET status = %s, claimed_at = %s, attempts = attempts + 1, "  # noqa: S608
        f"updated_at = %s{extra} WHERE id = %s AND direction = %s AND status = %s "
        f"AND ({due} IS NULL OR {due} <= %s)"
    )


def _claim_params(message_id: int, provider: str | None, sender: str | None) -> list:
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sender_params = [provider, sender] if provider else []
    return [
        MessageStatus.SENDING, now, now, *sender_params,
        message_id, Direction.OUTBOUND, MessageStatus.QUEUED, now,
    ]  # fmt: skip


def claim_for_sending(
    message_id: int, *, provider: str | None = None, sender: str | None = None
) -> bool:
    """Atomically mark a queued, due message as sending. False: someone else has it (or it is
    not due, or no longer queued): the caller must not send. `provider` and `sender` (the
    integration expected to send it) are recorded in the same statement, so that a message
    whose worker dies during the call still says where it went."""
    with connection.cursor() as cursor:
        cursor.execute(
            _claim_sql(with_sender=bool(provider)), _claim_params(message_id, provider, sender)
        )
        return cursor.rowcount == 1


def claim_and_load(
    message_id: int, *, provider: str | None = None, sender: str | None = None
) -> Message | None:
    """Claim the message (as `claim_for_sending`) and return it loaded for its send
    (`load_claimed`), or None when the claim found it taken, not due or gone."""
    if connection.vendor != "postgresql":
        if not claim_for_sending(message_id, provider=provider, sender=sender):
            return None
        return load_claimed(message_id)
    claim = _claim_sql(with_sender=bool(provider))
    source = connection.ops.quote_name("claimed")
    sql = f"WITH claimed AS ({claim} RETURNING *) {_select(source)}"
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


@cache
def _parts() -> tuple[_Part, ...]:
    """The message, its thread, the thread's candidate and the sender (built per process: the
    user model is known once the apps are loaded; a process talks to one database)."""
    models = (Message, "m"), (Thread, "t"), (Candidate, "c"), (get_user_model(), "u")
    return tuple(
        _Part(model, alias, tuple(field.attname for field in model._meta.concrete_fields))
        for model, alias in models
    )


@cache
def _select_template() -> str:
    """The SELECT for one message, `{source}` being the table (or the claim's CTE) as `m`."""
    quote = connection.ops.quote_name
    columns = [
        f"{part.alias}.{quote(part.model._meta.get_field(name).column)}"
        for part in _parts()
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
    return _select_template().format(source=source)


def _select_params() -> list:
    return [True, AttachmentStatus.STORED, True, True]


@cache
def _converters() -> dict:
    """The row's converters as the ORM's compiler finds them ({position: (converters,
    column)}): the four models' fields, then the extras (`_select_template`), of which only
    the active integration's `updated_at` needs one (SQLite returns it as text)."""
    columns = [field.cached_col for part in _parts() for field in part.model._meta.concrete_fields]
    updated_at = Integration._meta.get_field("updated_at").cached_col
    columns += [None, None, None, updated_at]  # opt-out id, has_media, integration id, version
    return _compiler().get_converters(columns)


def _compiler():
    return Message.objects.all().query.get_compiler(connection.alias)


def _message_from(row: tuple) -> Message:
    """Build the message, its thread, candidate and sender from one row (as select_related
    would: None where the relation is empty), with the extras as attributes."""
    (row,) = _compiler().apply_converters([row], _converters())
    objects, start = [], 0
    for part in _parts():
        end = start + len(part.attnames)
        objects.append(_instance(part, row[start:end]))
        start = end
    message, thread, candidate, sent_by = objects
    # The columns _select_template ends with.
    message.standing_opt_out_id, has_media, *integration = row[start:]
    message.has_media = bool(has_media)  # SQLite's EXISTS is 0 or 1
    message.active_integration_id, message.active_integration_updated_at = integration
    Message._meta.get_field("thread").set_cached_value(message, thread)
    Message._meta.get_field("sent_by").set_cached_value(message, sent_by)
    if thread is not None:
        Thread._meta.get_field("candidate").set_cached_value(thread, candidate)
    return message


def _instance(part: _Part, values: list) -> Model | None:
    if values[0] is None:  # the primary key: nothing joined
        return None
    return part.model.from_db(connection.alias, part.attnames, values)
