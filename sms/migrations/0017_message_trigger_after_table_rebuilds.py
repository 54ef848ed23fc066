"""SQLite rebuilds a table to alter a column (Django's `_remake_table`), and a rebuilt table has
no triggers: migrations merged after 0008 (test messages without a thread, the provider events'
`created_at`) alter `sms_message`, so the thread-follows-message trigger is installed again here.
PostgreSQL alters in place and keeps it; there this does nothing."""

from importlib import import_module

from django.db import migrations

trigger = import_module("sms.migrations.0008_message_status_touches_thread")


def reinstall(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in trigger.SQLITE_DOWN + trigger.SQLITE_UP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("sms", "0016_merge_day_one_security_events_and_automations")]

    operations = [migrations.RunPython(reinstall, migrations.RunPython.noop)]
