"""Settings for the test suite: the real settings with hermetic defaults.

DATABASE_URL and REDIS_URL still come from the environment, so the same suite runs on SQLite with
in-process tasks (no services) or on PostgreSQL and Redis (CI).
"""

import os
import tempfile

os.environ["NEXTAL_IGNORE_DOTENV"] = "1"  # a developer's .env must not change test results
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-that-is-long-enough-0123456789")
# A fixed Fernet key for tests; production keys come from the environment.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "Xv4pYgq8n1I2yOQ9uMDsGz0cWw7bTjvKq1oTAFy2yFQ=")
os.environ.setdefault("PUBLIC_BASE_URL", "https://nextal.example.com")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# A test that sends without the fake provider server (tests/fakes) gets "connection refused" on
# the discard port of this machine, never a real provider.
os.environ.setdefault("TWILIO_API_BASE_URL", "http://127.0.0.1:9")
os.environ.setdefault("CLICKSEND_API_BASE_URL", "http://127.0.0.1:9")
# Attachments go to a folder of this run (shared with the Celery worker a test starts).
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="nextal-test-media-"))

from nextal.settings import *  # noqa: F403
from nextal.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run in-process unless a test starts a real worker (tests/conftest.py: celery_worker).
CELERY_TASK_ALWAYS_EAGER = True
# Serve static files from the source folders (no collectstatic in tests; browser tests need CSS).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Administrators' two-factor requirement is the production default; the tests of it turn it on
# (tests/accounts), the others sign personas in with force_login and no authenticator.
REQUIRE_2FA_FOR_ADMINS = False
