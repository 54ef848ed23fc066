"""Create the Administrators and Recruiters groups with their permissions (core/roles.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Administrators": [
        "candidates.view_candidate", "candidates.add_candidate", "candidates.change_candidate",
        "candidates.view_job", "candidates.view_stage", "candidates.view_application",
        "candidates.add_application", "candidates.change_application",
        "candidates.view_timelineevent", "sms.view_inbox", "sms.view_thread", "sms.change_thread",
        "sms.view_message", "sms.send_sms", "sms.view_smstemplate",
        "integrations.manage_integrations", "integrations.view_integration",
        "integrations.view_auditentry", "sms.manage_templates", "sms.add_smstemplate",
        "sms.change_smstemplate", "sms.delete_smstemplate", "candidates.add_job",
        "candidates.change_job", "candidates.delete_candidate",
    ],
    "Recruiters": [
        "candidates.view_candidate", "candidates.add_candidate", "candidates.change_candidate",
        "candidates.view_job", "candidates.view_stage", "candidates.view_application",
        "candidates.add_application", "candidates.change_application",
        "candidates.view_timelineevent", "sms.view_inbox", "sms.view_thread", "sms.change_thread",
        "sms.view_message", "sms.send_sms", "sms.view_smstemplate",
    ],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations ran; create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in perms:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("integrations", "0002_provider_rows"),
        ("candidates", "0001_initial"),
        ("sms", "0001_initial"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
