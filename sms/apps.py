from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "sms"
    verbose_name = "SMS"

    def ready(self):
        # The Celery tasks (published by name from sms/outbox/publishing.py), and the parts of
        # every Integrations card: "Send test SMS" and "Health".
        from sms import tasks  # noqa: F401
        from sms.provider_health import card as health_card
        from sms.provider_test import card

        card.register()
        health_card.register()
