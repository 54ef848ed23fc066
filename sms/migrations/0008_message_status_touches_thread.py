"""A message's status change moves its thread's `changed_at` (what polling clients compare), in
the database: the send path no longer spends a round trip per change on touching the thread.

The thread takes the message's `updated_at` (set by every status update, from the
application's clock), so both move together. PostgreSQL and SQLite.
"""

from django.db import migrations

POSTGRES_UP = [
    """
    CREATE FUNCTION sms_message_touches_thread() RETURNS trigger AS $$
    BEGIN
        UPDATE sms_thread SET changed_at = NEW.updated_at WHERE id = NEW.thread_id;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER sms_message_touches_thread
    AFTER UPDATE OF status ON sms_message
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION sms_message_touches_thread();
    """,
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS sms_message_touches_thread ON sms_message;",
    "DROP FUNCTION IF EXISTS sms_message_touches_thread();",
]
SQLITE_UP = [
    """
    CREATE TRIGGER sms_message_touches_thread
    AFTER UPDATE OF status ON sms_message
    FOR EACH ROW WHEN OLD.status IS NOT NEW.status
    BEGIN
        UPDATE sms_thread SET changed_at = NEW.updated_at WHERE id = NEW.thread_id;
    END;
    """,
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS sms_message_touches_thread;"]
STATEMENTS = {
    "postgresql": (POSTGRES_UP, POSTGRES_DOWN),
    "sqlite": (SQLITE_UP, SQLITE_DOWN),
}


def add_trigger(apps, schema_editor):
    up, _ = STATEMENTS.get(schema_editor.connection.vendor, ((), ()))
    for statement in up:
        schema_editor.execute(statement)


def drop_trigger(apps, schema_editor):
    _, down = STATEMENTS.get(schema_editor.connection.vendor, ((), ()))
    for statement in down:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("sms", "0007_analytics_fields")]

    operations = [migrations.RunPython(add_trigger, drop_trigger)]
