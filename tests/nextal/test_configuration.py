"""Configuration from the environment: unsafe production settings refuse to start."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from nextal.checks import check_secrets, raise_for_configuration_errors

ROOT = django_settings.BASE_DIR


def error_ids():
    return {e.id for e in check_secrets()}


def test_it_accepts_a_complete_production_configuration(settings):
    settings.DEBUG = False
    assert error_ids() == set()


def test_it_refuses_the_development_secret_key_without_debug(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = django_settings.DEVELOPMENT_SECRET_KEY
    assert "nextal.E001" in error_ids()


def test_it_refuses_a_short_secret_key_without_debug(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "short"
    assert "nextal.E002" in error_ids()


def test_it_refuses_missing_encryption_keys_without_debug(settings):
    settings.DEBUG = False
    settings.FIELD_ENCRYPTION_KEYS = []
    assert "nextal.E003" in error_ids()
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS"):
        raise_for_configuration_errors()


def test_it_allows_development_defaults_with_debug(settings):
    settings.DEBUG = True
    settings.SECRET_KEY = django_settings.DEVELOPMENT_SECRET_KEY
    settings.FIELD_ENCRYPTION_KEYS = []
    assert error_ids() == set()


def _run(code, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    clean.update(NEXTAL_IGNORE_DOTENV="1", DJANGO_SETTINGS_MODULE="nextal.settings", **env)
    return subprocess.run(
        [sys.executable, *code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def test_manage_py_check_fails_with_a_clear_message_when_secrets_are_missing():
    result = _run(["manage.py", "check"], DEBUG="false", ALLOWED_HOSTS="example.com")
    assert result.returncode != 0
    assert "nextal.E001" in result.stderr
    assert "nextal.E003" in result.stderr


def test_the_wsgi_app_refuses_to_start_when_secrets_are_missing():
    result = _run(["-c", "import nextal.wsgi"], DEBUG="false", ALLOWED_HOSTS="example.com")
    assert result.returncode != 0
    assert "Nextal refuses to start" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_the_wsgi_app_starts_with_a_complete_configuration():
    result = _run(
        ["-c", "import nextal.wsgi; print('started')"],
        DEBUG="false",
        ALLOWED_HOSTS="example.com",
        SECRET_KEY="x" * 50,
        FIELD_ENCRYPTION_KEYS="Xv4pYgq8n1I2yOQ9uMDsGz0cWw7bTjvKq1oTAFy2yFQ=",
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_settings_read_urls_and_regions_from_the_environment():
    result = _run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL,"
            " s.CELERY_TASK_ALWAYS_EAGER, s.PUBLIC_BASE_URL, s.TWILIO_API_BASE_URL,"
            " s.CLICKSEND_API_BASE_URL, s.DEFAULT_PHONE_REGION)",
        ],
        DEBUG="true",
        DATABASE_URL="postgres://u@db.example:5432/nextal",
        REDIS_URL="redis://cache.example:6379/2",
        PUBLIC_BASE_URL="https://ats.example.com/",
        TWILIO_API_BASE_URL="http://127.0.0.1:9/",
        CLICKSEND_API_BASE_URL="http://127.0.0.1:8/",
        DEFAULT_PHONE_REGION="gb",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "redis://cache.example:6379/2",
        "False",
        "https://ats.example.com",
        "http://127.0.0.1:9",
        "http://127.0.0.1:8",
        "GB",
    ]


def test_without_redis_tasks_run_in_process():
    result = _run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)",
        ],
        DEBUG="true",
        REDIS_URL="",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "memory://"]
