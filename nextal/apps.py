from django.apps import AppConfig


class NextalConfig(AppConfig):
    name = "nextal"
    verbose_name = "Nextal"

    def ready(self):
        from nextal import (
            checks,  # noqa: F401  (registers the configuration checks)
            middleware,  # noqa: F401  (the time zone at sign-in)
        )
