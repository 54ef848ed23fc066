"""System checks for configuration that must never fall back to a silent default.

Django runs registered checks before management commands such as `migrate` and `runserver`; the
WSGI entry point and Celery workers call `raise_for_configuration_errors()` so that gunicorn and
workers refuse to start as well.
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from integrations.fields import keys_problem


@checks.register(checks.Tags.security)
def check_secrets(app_configs=None, **kwargs):
    errors = []
    if settings.FIELD_ENCRYPTION_KEYS and keys_problem(settings.FIELD_ENCRYPTION_KEYS):
        # In any mode: every secret save would fail and every card say "cannot be decrypted".
        errors.append(
            checks.Error(
                "FIELD_ENCRYPTION_KEYS is malformed: "
                + keys_problem(settings.FIELD_ENCRYPTION_KEYS),
                hint="Each key is 44 characters of url-safe base64, keys separated by commas. "
                "Generate one with python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'.",
                id="nextal.E005",
            )
        )
    if settings.DEBUG:
        return errors
    if not settings.SECRET_KEY or settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        errors.append(
            checks.Error(
                "SECRET_KEY is not set (or is the development key) while DEBUG is off.",
                hint="Set SECRET_KEY to a long random value, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(50))'.",
                id="nextal.E001",
            )
        )
    elif len(settings.SECRET_KEY) < 40 or settings.SECRET_KEY.startswith("django-insecure"):
        errors.append(
            checks.Error(
                "SECRET_KEY is too short or marked insecure while DEBUG is off.",
                hint="Use at least 40 random characters.",
                id="nextal.E002",
            )
        )
    if not settings.FIELD_ENCRYPTION_KEYS:
        errors.append(
            checks.Error(
                "FIELD_ENCRYPTION_KEYS is not set while DEBUG is off: provider secrets cannot be "
                "stored.",
                hint="Generate one with python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'.",
                id="nextal.E003",
            )
        )
    if not settings.ALLOWED_HOSTS:
        errors.append(
            checks.Error(
                "ALLOWED_HOSTS is empty while DEBUG is off.",
                hint="Set ALLOWED_HOSTS to the host names the app is served on.",
                id="nextal.E004",
            )
        )
    return errors


def raise_for_configuration_errors():
    """Refuse to start (gunicorn, Celery) with the configuration errors reported above.

    Only these start-up essentials stop the process; other checks (such as a stored secret that no
    longer decrypts) are reported by `manage.py check` and in the UI without taking the app down.
    """
    problems = [message for message in check_secrets() if not message.is_silenced()]
    if problems:
        lines = "\n".join(f"  {p.id}: {p.msg} {p.hint or ''}".rstrip() for p in problems)
        raise ImproperlyConfigured(f"Nextal refuses to start:\n{lines}")
