"""Nextal settings, read from the environment (and an optional `.env` file).

Every setting that differs between a laptop and production is an environment variable; the README
lists them. Unsafe combinations (DEBUG off with a missing or development secret) are reported by
the system checks in `nextal/checks.py`, which also run when the WSGI app and Celery start.
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ

from nextal.broker import broker_settings

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if not env.bool("NEXTAL_IGNORE_DOTENV", default=False):
    # Real environment variables win over the file.
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# A value nobody can mistake for a production secret; checks.py refuses it when DEBUG is off.
DEVELOPMENT_SECRET_KEY = "django-insecure-nextal-development-only"  # noqa: S105

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Fernet keys, comma-separated: the first encrypts, all decrypt (see integrations/fields.py).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

# The external https URL providers call us on. Webhook URLs and Twilio signature checks use it,
# never the Host header (a TLS-terminating proxy makes Django see http://).
# Unset, it follows where `make run` serves (HOST and PORT, as `make run PORT=8140` passes them).
HOST = env.str("HOST", default="127.0.0.1")
PORT = env.int("PORT", default=8000)
_LOCAL_HOST = "127.0.0.1" if HOST in ("", "0.0.0.0", "::") else HOST  # noqa: S104 - not a bind
PUBLIC_BASE_URL = env.str(
    "PUBLIC_BASE_URL",
    default=f"http://[{_LOCAL_HOST}]:{PORT}"
    if ":" in _LOCAL_HOST
    else f"http://{_LOCAL_HOST}:{PORT}",
).rstrip("/")
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="https://api.twilio.com").rstrip("/")
# Messaging Services are on their own host in Twilio's SDK (`client.messaging.base_url`).
TWILIO_MESSAGING_BASE_URL = env.str(
    "TWILIO_MESSAGING_BASE_URL", default="https://messaging.twilio.com"
).rstrip("/")
CLICKSEND_API_BASE_URL = env.str(
    "CLICKSEND_API_BASE_URL", default="https://rest.clicksend.com"
).rstrip("/")
# Connect and read timeouts (seconds) for every call to an SMS provider.
SMS_PROVIDER_CONNECT_TIMEOUT = env.float("SMS_PROVIDER_CONNECT_TIMEOUT", default=5.0)
SMS_PROVIDER_READ_TIMEOUT = env.float("SMS_PROVIDER_READ_TIMEOUT", default=15.0)
# A CA bundle (PEM file) for provider calls instead of the system's, e.g. behind a TLS-inspecting
# proxy. Unset: the system's certificate store.
SMS_PROVIDER_CA_BUNDLE = env.str("SMS_PROVIDER_CA_BUNDLE", default="")
DEFAULT_PHONE_REGION = env.str("DEFAULT_PHONE_REGION", default="US").upper()
COMPANY_NAME = env.str("COMPANY_NAME", default="Nextal")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # First of the apps with a `runserver`: ours adds the embedded SMS sweeper to WhiteNoise's.
    "nextal.apps.NextalConfig",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "core",
    "accounts",
    "integrations",
    "candidates",
    "sms",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: static files keep their long-lived caching; every page is no-store.
    "nextal.middleware.PrivatePagesMiddleware",
    # Provider webhooks (no session, no user, their own signature check) stop here.
    "nextal.middleware.WebhookFastLaneMiddleware",
    "csp.middleware.CSPMiddleware",
    # Boards and inboxes are large HTML pages; Django's gzip pads responses against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "nextal.middleware.RefuseNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view is marked with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "nextal.middleware.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Sign-in sessions end after SESSION_IDLE_HOURS without a request; a signed-in user who still
    # owes a second factor (or, as an administrator, an enrolment) reaches only those pages.
    "accounts.middleware.IdleSessionMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    # Per-user rate limits (core/rate_limits.py) answer 429 with a readable page or message.
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "nextal.urls"
WSGI_APPLICATION = "nextal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "nextal.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
if sys.argv[1:2] == ["runserver"]:
    # The development server runs each request in a new thread: a persistent connection per
    # thread is never reused and PostgreSQL runs out of connection slots.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite is the embedded default: make concurrent writers wait instead of failing.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: a locked-out username + address is refused before the password is checked.
    "accounts.backends.LockoutBackend",
    # ModelBackend, with a user's and their groups' permissions read in one query.
    "accounts.backends.PermissionsBackend",
    # Sessions signed in before keep naming this one; it answers from the permissions
    # PermissionsBackend already read for the request (the same cache on the user).
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded and downloaded files (MMS attachments): the filesystem under MEDIA_ROOT by default;
# FILE_STORAGE_BACKEND=storages.backends.s3.S3Storage (django-storages, installed separately)
# with AWS_STORAGE_BUCKET_NAME keeps them in S3. Never served from a public URL: the
# login-checked attachment view streams them (MEDIA_URL is not routed).
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
FILE_STORAGE_BACKEND = env.str(
    "FILE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
)
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
AWS_DEFAULT_ACL = None  # private objects
AWS_QUERYSTRING_AUTH = True
STORAGES = {
    "default": {"BACKEND": FILE_STORAGE_BACKEND},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Celery -------------------------------------------------------------------------------------
# The broker: BROKER_URL (RabbitMQ, amqp://…, or Redis), else REDIS_URL. Without either, tasks run
# in-process (eagerly); callers enqueue with transaction.on_commit, so they still run only after
# the surrounding transaction commits.
REDIS_URL = env.str("REDIS_URL", default="")
BROKER_URL = env.str("BROKER_URL", default="")
CELERY_BROKER_URL = BROKER_URL or REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not (BROKER_URL or REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# Not losing work: ack after the task ran, give the message back if the worker process dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Not hoarding work: a worker process reserves one message at a time.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
# Celery's Django fixup closes every database connection before and after every task unless this
# is set (celery#4116, #9824): a send then paid a new PostgreSQL connection, a backend's fork and
# its setup, twice its own queries. With it, the fixup closes them once every this many tasks, and
# nextal/celery.py gives each task the connection handling Django gives a request
# (`close_old_connections`: CONN_MAX_AGE and broken connections).
CELERY_DB_REUSE_MAX = 1000
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must fail fast when the broker is down: the message row is the outbox and the
# sweeper re-enqueues it later, so the recruiter's request should not hang on the broker.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Queues, publisher confirms and transport options per broker: nextal/broker.py.
_broker = broker_settings(CELERY_BROKER_URL)
CELERY_TASK_DEFAULT_QUEUE = _broker["task_default_queue"]
CELERY_TASK_DEFAULT_QUEUE_TYPE = _broker["task_default_queue_type"]
CELERY_WORKER_DETECT_QUORUM_QUEUES = _broker["worker_detect_quorum_queues"]
CELERY_BROKER_TRANSPORT_OPTIONS = _broker["broker_transport_options"]
# The SMS sweeper (sms/outbox/sweeper.py) under `celery beat`; a sweep that waited longer than
# its interval is superseded by the next one.
SMS_SWEEP_INTERVAL_SECONDS = env.float("SMS_SWEEP_INTERVAL_SECONDS", default=30.0)
CELERY_BEAT_SCHEDULE = {
    "sms.sweep_outbox": {
        "task": "sms.sweep_outbox",
        "schedule": SMS_SWEEP_INTERVAL_SECONDS,
        "options": {"expires": SMS_SWEEP_INTERVAL_SECONDS},
    },
}
# The SMS sweeper re-publishes a queued message whose task was published this long ago and never
# claimed (a worker died holding it). Must exceed the time a healthy queue takes to reach a task.
SMS_LOST_TASK_AFTER_SECONDS = env.int("SMS_LOST_TASK_AFTER_SECONDS", default=60)
# MMS attachments: the largest file kept (larger ones stay links), and the waits before asking
# again for media that answered 404 (Twilio's media can lag the webhook).
SMS_ATTACHMENT_MAX_BYTES = env.int("SMS_ATTACHMENT_MAX_BYTES", default=5 * 1024 * 1024)
SMS_MEDIA_NOT_FOUND_RETRY_DELAYS = (1.0, 3.0)
# How long the signed URL of an outbound file works after its send (the provider's fetch).
SMS_PUBLIC_MEDIA_MAX_AGE = env.int("SMS_PUBLIC_MEDIA_MAX_AGE", default=3600)

# Email (reply alerts): the console in development, SMTP otherwise (EMAIL_HOST, EMAIL_PORT,
# EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS as Django reads them).
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Nextal <nextal@localhost>")

# --- Caches -------------------------------------------------------------------------------------
# Rate-limit counters. With REDIS_URL: Redis (shared by every process, atomic increments);
# without: this process's memory, which is right for the embedded default's single runserver.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "nextal",
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
}

# --- Sign-in and accounts (accounts/) ------------------------------------------------------------
# django-axes: 5 failed sign-ins for one username from one address lock that pair for 15 minutes
# (also on the Django admin's login). Administrators unlock on Administration -> Sign-in lockouts.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# REMOTE_ADDR, or behind TRUSTED_PROXY the address the proxy appended to X-Forwarded-For.
AXES_CLIENT_IP_CALLABLE = "accounts.addresses.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# A wrong password while locked out does not extend the lockout (it is still logged).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Nextal keeps its own sign-in log (accounts.AuthEvent); axes's per-request access log is off.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Two-factor sign-in (django-otp, TOTP with recovery codes). Required for administrators when on:
# by default in production, off under DEBUG so that `make run`'s printed admin signs in at once.
REQUIRE_2FA_FOR_ADMINS = env.bool("REQUIRE_2FA_FOR_ADMINS", default=not DEBUG)
OTP_TOTP_ISSUER = COMPANY_NAME
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Sign-in sessions end after this long without a request (accounts.middleware).
SESSION_IDLE_HOURS = env.float("SESSION_IDLE_HOURS", default=8.0)
SESSION_COOKIE_AGE = int(SESSION_IDLE_HOURS * 3600)
# Per-user rate limits (django-ratelimit; core/rate_limits.py): "count/period", period s/m/h/d.
RATE_LIMIT_SMS_SEND = env.str("RATE_LIMIT_SMS_SEND", default="30/m")
RATE_LIMIT_SEARCH = env.str("RATE_LIMIT_SEARCH", default="120/m")
RATELIMIT_VIEW = "core.rate_limits.too_many_requests"
# The local-memory cache is per process (fine for one runserver); Django's own Redis cache
# increments atomically but is not on django-ratelimit's list.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if not REDIS_URL:
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
# Without REDIS_URL there is no beat: `manage.py runserver` (what `make run` serves) sweeps the
# outbox in a thread this often, so due scheduled messages and retries leave within 30 s.
SMS_EMBEDDED_SWEEP_SECONDS = env.float("SMS_EMBEDDED_SWEEP_SECONDS", default=10.0)

# --- Security -------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# X-Forwarded-Proto is believed only behind a proxy that sets it (and strips a client's own).
TRUSTED_PROXY = env.bool("TRUSTED_PROXY", default=False)
if TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# A load balancer's plain-http health check must not be redirected.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Strict CSP (django-csp): scripts and styles only from our own static files, no inline code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Nextal uses none of these browser features (nextal/middleware.py sends it).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    # ClickSend's webhook token is in its URL path: no log line may carry it.
    "filters": {"redact_webhook_tokens": {"()": "nextal.log_redaction.RedactWebhookTokens"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_webhook_tokens"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_webhook_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # The development server's access lines.
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # twilio's http client logs full request headers (Basic auth) at DEBUG.
        "twilio.http_client": {"level": "WARNING"},
    },
}
