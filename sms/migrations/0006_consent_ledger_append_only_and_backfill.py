"""The consent ledger is append-only in the database, and starts with what Nextal already knew.

- A trigger refuses any UPDATE of a recorded entry's facts (PostgreSQL and SQLite). Only the
  context columns (candidate, recorded_by, message) may still be cleared, as Django does when
  that candidate, user or message is deleted.
- Every existing opt-out becomes a ledger entry (its source, detail and time), and every thread
  whose first message came from the candidate gets a "texted first" entry (and that consent on
  the number's `OptOut` standing), so that the consent policy does not treat long-running
  conversations as "no consent on record".
- Each thread's `last_inbound_at` is filled in from its messages.
"""

from django.db import migrations

FACT_COLUMNS = "phone_number, granted, source, note, detail, provider, created_at"
MESSAGE = "The SMS consent ledger is append-only: add an entry instead of changing one."

POSTGRES_UP = [
    f"""
    CREATE FUNCTION sms_consentevent_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    f"""
    CREATE TRIGGER sms_consentevent_append_only
    BEFORE UPDATE OF {FACT_COLUMNS} ON sms_consentevent
    FOR EACH ROW EXECUTE FUNCTION sms_consentevent_append_only();
    """,
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS sms_consentevent_append_only ON sms_consentevent;",
    "DROP FUNCTION IF EXISTS sms_consentevent_append_only();",
]
SQLITE_UP = [
    f"""
    CREATE TRIGGER sms_consentevent_append_only
    BEFORE UPDATE OF {FACT_COLUMNS} ON sms_consentevent
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS sms_consentevent_append_only;"]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def add_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRES_UP)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_UP)


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRES_DOWN)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_DOWN)


OPT_OUT_SOURCES = {
    "keyword": "opt_out_keyword",
    "phrase": "opt_out_phrase",
    "provider": "provider_report",
    "manual": "recorded_opt_out",
}


def backfill(apps, schema_editor):
    OptOut = apps.get_model("sms", "OptOut")
    Thread = apps.get_model("sms", "Thread")
    Message = apps.get_model("sms", "Message")
    ConsentEvent = apps.get_model("sms", "ConsentEvent")
    entries = []
    for opt_out in OptOut.objects.all().iterator():
        if opt_out.opted_out:
            source = OPT_OUT_SOURCES.get(opt_out.source, "recorded_opt_out")
            entries.append(
                ConsentEvent(
                    phone_number=opt_out.phone_number,
                    granted=False,
                    source=source,
                    detail=opt_out.detail,
                    provider=opt_out.provider,
                    created_at=opt_out.changed_at,
                )
            )
        else:  # opted back in with START
            OptOut.objects.filter(pk=opt_out.pk).update(
                consent_source="start_reply", consent_at=opt_out.changed_at
            )
            entries.append(
                ConsentEvent(
                    phone_number=opt_out.phone_number,
                    granted=True,
                    source="start_reply",
                    detail=opt_out.detail,
                    provider=opt_out.provider,
                    created_at=opt_out.changed_at,
                )
            )
    for thread in Thread.objects.exclude(phone_number="").iterator():
        first = Message.objects.filter(thread=thread).order_by("created_at", "id").first()
        if first is not None and first.direction == "inbound":
            standing = OptOut.objects.filter(phone_number=thread.phone_number).first()
            if standing is None:
                OptOut.objects.create(
                    phone_number=thread.phone_number,
                    opted_out=False,
                    source="",
                    changed_at=first.created_at,
                    consent_source="texted_first",
                    consent_at=first.created_at,
                )
            elif not standing.opted_out and not standing.consent_source:
                OptOut.objects.filter(pk=standing.pk).update(
                    consent_source="texted_first", consent_at=first.created_at
                )
            entries.append(
                ConsentEvent(
                    phone_number=thread.phone_number,
                    granted=True,
                    source="texted_first",
                    candidate_id=thread.candidate_id,
                    message_id=first.pk,
                    created_at=first.created_at,
                )
            )
        latest_inbound = (
            Message.objects.filter(thread=thread, direction="inbound")
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if latest_inbound is not None:
            Thread.objects.filter(pk=thread.pk).update(last_inbound_at=latest_inbound)
    ConsentEvent.objects.bulk_create(entries, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("sms", "0005_trust_consent_quiet_hours")]

    operations = [
        migrations.RunPython(add_trigger, drop_trigger),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
