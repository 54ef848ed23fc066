from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "sms"
    verbose_name = "SMS"

    def ready(self):
        # The Celery tasks (published by name from sms/outbox/publishing.py), and the parts of
        # every Integrations card: "Send test SMS" and "Health".
        from candidates import pipeline_hooks
        from sms import tasks  # noqa: F401
        from sms.automations import board, defaults, runs
        from sms.provider_health import card as health_card
        from sms.provider_test import card

        card.register()
        health_card.register()
        # Stage automations: texts on stage changes, defaults for new jobs, the board's parts.
        pipeline_hooks.on_stage_change(runs.on_stage_change)
        pipeline_hooks.on_job_created(defaults.copy_defaults_to)
        board.register()
