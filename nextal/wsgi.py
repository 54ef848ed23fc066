"""WSGI entry point (gunicorn nextal.wsgi). Refuses to start with an unsafe configuration."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nextal.settings")

application = get_wsgi_application()

from nextal.checks import raise_for_configuration_errors  # noqa: E402  (needs apps loaded)

raise_for_configuration_errors()
