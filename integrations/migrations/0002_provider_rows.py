"""One settings row per provider kind, inactive and without credentials."""

import secrets

from django.db import migrations


def create_rows(apps, schema_editor):
    Integration = apps.get_model("integrations", "Integration")
    for kind in ("twilio", "clicksend"):
        Integration.objects.get_or_create(
            kind=kind, defaults={"webhook_token": secrets.token_urlsafe(32)}
        )


class Migration(migrations.Migration):
    dependencies = [("integrations", "0001_initial")]
    operations = [migrations.RunPython(create_rows, migrations.RunPython.noop)]
