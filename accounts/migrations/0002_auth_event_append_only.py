"""The auth event log is append-only in the database: a trigger refuses any UPDATE of an event's
facts (PostgreSQL and SQLite). Only `user` and `actor` may still be cleared, as Django does when
that account is deleted (the username stays)."""

from django.db import migrations

FACT_COLUMNS = "kind, username, ip_address, user_agent, detail, created_at"
MESSAGE = "The sign-in log is append-only: record a new event instead of changing one."

POSTGRES_UP = [
    f"""
    CREATE FUNCTION accounts_authevent_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    f"""
    CREATE TRIGGER accounts_authevent_append_only
    BEFORE UPDATE OF {FACT_COLUMNS} ON accounts_authevent
    FOR EACH ROW EXECUTE FUNCTION accounts_authevent_append_only();
    """,
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS accounts_authevent_append_only ON accounts_authevent;",
    "DROP FUNCTION IF EXISTS accounts_authevent_append_only();",
]
SQLITE_UP = [
    f"""
    CREATE TRIGGER accounts_authevent_append_only
    BEFORE UPDATE OF {FACT_COLUMNS} ON accounts_authevent
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS accounts_authevent_append_only;"]


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


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(add_trigger, drop_trigger)]
