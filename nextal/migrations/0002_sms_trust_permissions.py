"""SMS consent and policy permissions for the roles: both roles see and record a candidate's SMS
consent (and a spoken opt-out); Administrators also change the SMS Settings."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Administrators": [
        "sms.view_consentevent",
        "sms.add_consentevent",
        "sms.manage_sms_policy",
        "sms.view_smspolicy",
    ],
    "Recruiters": ["sms.view_consentevent", "sms.add_consentevent"],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in perms:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        for dotted in perms:
            app_label, codename = dotted.split(".")
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("nextal", "0001_roles"),
        ("sms", "0006_consent_ledger_append_only_and_backfill"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
