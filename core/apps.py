from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        # Before any URLconf is read (URLconfs load lazily, after every app is ready).
        from core import converters

        converters.register()
