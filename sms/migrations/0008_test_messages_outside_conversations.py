"""Test messages (Send test SMS) leave the conversations: existing ones are detached from their
threads, an Unknown-sender thread left empty is removed, and the other threads' preview points
at their latest remaining message again."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def detach_test_messages(apps, schema_editor):
    Message = apps.get_model("sms", "Message")
    Thread = apps.get_model("sms", "Thread")
    thread_ids = set(
        Message.objects.filter(is_test=True, thread__isnull=False).values_list("thread_id", flat=True)
    )
    Message.objects.filter(is_test=True).update(thread=None)
    for thread in Thread.objects.filter(pk__in=thread_ids):
        latest = (
            Message.objects.filter(thread=thread)
            .exclude(status="canceled")
            .order_by("-created_at", "-id")
            .first()
        )
        if latest is None and thread.candidate_id is None:
            thread.delete()
            continue
        thread.last_message_preview = " ".join(latest.body.split())[:160] if latest else ""
        thread.last_message_direction = latest.direction if latest else ""
        if latest is not None:
            thread.last_message_at = latest.created_at
        thread.save(update_fields=["last_message_preview", "last_message_direction", "last_message_at"])


class Migration(migrations.Migration):

    dependencies = [
        ('candidates', '0003_candidate_time_zone_and_sms_events'),
        ('sms', '0007_analytics_fields'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='message',
            name='thread',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='sms.thread'),
        ),
        migrations.AddConstraint(
            model_name='message',
            constraint=models.CheckConstraint(condition=models.Q(('thread__isnull', False), models.Q(('direction', 'outbound'), ('is_test', True)), _connector='OR'), name='message_in_thread_unless_test'),
        ),
        migrations.RunPython(detach_test_messages, migrations.RunPython.noop),
    ]
