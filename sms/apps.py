from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "sms"
    verbose_name = "SMS"

    def ready(self):
        # The Celery tasks (published by name from sms/outbox/publishing.py) and the "Send test
        # SMS" part of every Integrations card.
        from sms import tasks  # noqa: F401
        from sms.provider_test import card

        card.register()
