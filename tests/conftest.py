"""Shared fixtures: personas, the provider settings rows, real services (PostgreSQL, Redis + Celery
worker), a browser.

Tests that need a real service are marked (`postgres`, `redis`, `browser`). Without the service
they skip locally; in CI (CI=true/1) a missing service is a failure, never a silent skip, and a
run of the whole suite where a service marker passed no test at all fails too.
"""

import os
import shutil
import threading
import uuid
from importlib import import_module

import pytest
from celery.signals import task_postrun
from django.contrib.auth.models import Group, Permission
from django.db import connection, connections

from core.roles import ADMINISTRATORS, RECRUITERS
from tests.browser import ARTIFACTS, sign_in
from tests.factories import UserFactory
from tests.helpers.providers import provider_row
from tests.helpers.services import in_ci, unavailable

pytest_plugins = ["tests.fakes.fixtures"]

CHROMIUM = "/usr/bin/chromium"


# Database objects migrations create beside the tables (triggers). `--nomigrations` (the mutation
# runs) builds tables from the models alone, so these are installed the same way after it.
TRIGGER_MIGRATIONS = (
    "sms.migrations.0006_consent_ledger_append_only_and_backfill",
    "accounts.migrations.0002_auth_event_append_only",
    "sms.migrations.0008_message_status_touches_thread",
)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    if request.config.getoption("nomigrations", False):
        from django.db import connections

        with django_db_blocker.unblock():
            for alias in connections:
                postgres = connections[alias].vendor == "postgresql"
                with connections[alias].cursor() as cursor:
                    for name in TRIGGER_MIGRATIONS:
                        migration = import_module(name)
                        for statement in migration.POSTGRES_UP if postgres else migration.SQLITE_UP:
                            cursor.execute(statement)


SERVICE_MARKERS = ("postgres", "redis", "rabbitmq", "browser")
_service_tests: dict[str, set[str]] = {}
_selected: dict[str, int] = dict.fromkeys(SERVICE_MARKERS, 0)
_whole_suite: list[bool] = [False]
_service_passed: dict[str, int] = dict.fromkeys(SERVICE_MARKERS, 0)


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    broker = os.environ.get("REDIS_URL") or "none (tasks in-process)"
    rabbitmq = os.environ.get("RABBITMQ_URL") or "none"
    return [
        f"nextal: database {connection.vendor} ({database['NAME']}), Redis {broker}, "
        f"RabbitMQ {rabbitmq.rsplit('@', 1)[-1]}, "
        f"CI={os.environ.get('CI', 'false')} ({'in CI' if in_ci() else 'not CI'})"
    ]


def pytest_collection_modifyitems(config, items):
    for item in items:
        markers = {m for m in SERVICE_MARKERS if item.get_closest_marker(m)}
        if markers:
            _service_tests[item.nodeid] = markers


def pytest_collection_finish(session):
    for item in session.items:
        for marker in _service_tests.get(item.nodeid, ()):
            _selected[marker] += 1
    # `pytest` or `make test` with no paths or -k/-m filters: the whole suite.
    options = session.config.option
    _whole_suite[0] = session.config.args_source.name != "ARGS" and not (
        options.keyword or options.markexpr
    )


def pytest_runtest_logreport(report):
    if report.when == "call" and report.passed:
        for marker in _service_tests.get(report.nodeid, ()):
            _service_passed[marker] += 1


def _service_markers_that_ran_nothing() -> list[str]:
    """In CI: markers whose selected tests all failed, or, on a whole-suite run, that have no
    test at all (a CI that silently ran 0 browser tests would prove nothing)."""
    return [
        marker
        for marker in SERVICE_MARKERS
        if _service_passed[marker] == 0 and (_selected[marker] or _whole_suite[0])
    ]


def pytest_sessionfinish(session, exitstatus):
    if in_ci() and _service_markers_that_ran_nothing() and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    """Say plainly which tests that need a real service ran (CI must show them)."""
    ran = ", ".join(f"{marker} {count} passed" for marker, count in _service_passed.items())
    terminalreporter.write_line(f"nextal service tests: {ran} (on {connection.vendor})")
    if in_ci():
        for marker in _service_markers_that_ran_nothing():
            terminalreporter.write_line(
                f"FAILED: no '{marker}' test passed in CI ({_selected[marker]} selected)",
                red=True,
            )


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        unavailable("needs PostgreSQL: set DATABASE_URL=postgres://...")
    if item.get_closest_marker("redis") and not os.environ.get("REDIS_URL"):
        unavailable("needs Redis: set REDIS_URL=redis://...")
    if item.get_closest_marker("rabbitmq") and not os.environ.get("RABBITMQ_URL"):
        unavailable("needs RabbitMQ: set RABBITMQ_URL=amqp://guest:guest@127.0.0.1:5672/vhost")
    if item.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        unavailable("needs Chromium: apt-get install -y chromium")


def _database_fixture(request):
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    if (
        "transactional_db" in names
        or "live_server" in names
        or (marker and marker.kwargs.get("transaction"))
    ):
        return "transactional_db"
    if "db" in names or marker:
        return "db"
    return None


@pytest.fixture(autouse=True)
def migrated_rows(request):
    """Restore the rows data migrations create (role groups, provider settings rows).

    A transactional test (live server, real Celery worker, concurrency) ends by flushing every
    table; permissions come back through post_migrate, but data-migration rows do not.
    """
    fixture = _database_fixture(request)
    if fixture is None:
        return
    request.getfixturevalue(fixture)
    from integrations.models import Integration, ProviderKind

    roles = import_module("nextal.migrations.0001_roles").ROLES
    grants = {}
    for migration in ("0002_sms_trust_permissions", "0003_accounts_permissions"):
        for name, perms in import_module(f"nextal.migrations.{migration}").GRANTS.items():
            grants.setdefault(name, []).extend(perms)
    for name, dotted_perms in roles.items():
        group, created = Group.objects.get_or_create(name=name)
        if created:
            for dotted in [*dotted_perms, *grants.get(name, [])]:
                app_label, codename = dotted.split(".")
                group.permissions.add(
                    Permission.objects.get(content_type__app_label=app_label, codename=codename)
                )
    for kind in ProviderKind.values:
        Integration.objects.get_or_create(kind=kind)


@pytest.fixture(autouse=True)
def fresh_provider_connections():
    """No kept-alive provider connection outlives a test (each test has its own fake server)."""
    from integrations.providers.transport import discard_pooled

    discard_pooled()
    yield
    discard_pooled()


# Functions behind a per-process cache. Under mutmut, the stats run (the whole selection in one
# process) would otherwise count only the first test that reaches each, and every mutant's
# process is forked from one that ran the clean suite, its caches already filled by the
# unmutated code.
PROCESS_CACHES = (
    ("sms.outbox.outcome", "_statement"),
    ("sms.outbox.claiming", "_parts"),
    ("sms.outbox.claiming", "_select_template"),
    ("sms.outbox.claiming", "_converters"),
    ("integrations.providers.base", "_route_path"),
)


@pytest.fixture(autouse=True)
def caches_cleared_under_mutmut():
    """Under mutmut (MUTANT_UNDER_TEST is set: "stats", or the mutant's name) every test starts
    with the per-process caches empty; in every other run this does nothing."""
    if os.environ.get("MUTANT_UNDER_TEST"):
        for module, name in PROCESS_CACHES:
            getattr(import_module(module), name).cache_clear()
    yield


@pytest.fixture(autouse=True)
def sms_policy_without_quiet_hours(request, migrated_rows):
    """Sends in tests must not depend on the wall clock: unless a test asks for the
    `quiet_hours` fixture (tests/sms/conftest.py), which turns the product default back on and
    moves the clock explicitly, quiet hours are off. Everything else is the product default."""
    from integrations import active
    from sms.inbound.views import forget_provider_settings
    from sms.models import SmsPolicy
    from sms.policy import forget_policy, remember_policy

    forget_policy()
    forget_provider_settings()  # the webhooks' copy of the provider rows
    active.forget()  # the send path's copy of the sending integration
    if _database_fixture(request) is None:
        yield
        return
    policy, _ = SmsPolicy.objects.update_or_create(pk=1, defaults={"quiet_hours_enabled": False})
    remember_policy(policy)  # as `save_policy` leaves it
    yield
    forget_policy()


@pytest.fixture(autouse=True)
def rate_limits_per_test(settings):
    """Rate limits stay on in every test, with counters of the test's own (a fresh key prefix:
    the cache is Redis's when REDIS_URL is set, and outlives a test)."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl:{uuid.uuid4().hex}:"


# --- Personas -------------------------------------------------------------------------------------


@pytest.fixture
def administrator(db):
    user = UserFactory(username="admin", first_name="Alex", last_name="Admin")
    user.groups.add(Group.objects.get(name=ADMINISTRATORS))
    return user


@pytest.fixture
def recruiter(db):
    user = UserFactory(username="riley", first_name="Riley", last_name="Recruiter")
    user.groups.add(Group.objects.get(name=RECRUITERS))
    return user


@pytest.fixture
def outsider(db):
    """A signed-in user with no role."""
    return UserFactory(username="olivia", first_name="Olivia", last_name="Outsider")


@pytest.fixture
def administrator_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def recruiter_client(client, recruiter):
    client.force_login(recruiter)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider)
    return client


# --- Provider settings rows ----------------------------------------------------------------------


@pytest.fixture
def twilio_row(db):
    """Twilio's settings row as the data migration leaves it: no settings, not active."""
    return provider_row("twilio")


@pytest.fixture
def clicksend_row(db):
    """ClickSend's settings row as the data migration leaves it: no settings, not active."""
    return provider_row("clicksend")


# --- Real Celery worker on Redis ---------------------------------------------------------------


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker thread consuming from Redis (REDIS_URL) for the test's duration.

    Tasks are no longer run in-process while it runs: `.delay()` publishes to Redis and the worker
    executes the task in its own thread with its own database connection.
    """
    from celery.contrib.testing.worker import start_worker

    from nextal.celery import app

    url = os.environ.get("REDIS_URL")
    if not url:
        unavailable("needs Redis: set REDIS_URL=redis://...")
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    app.control.purge()
    task_postrun.connect(close_worker_thread_connections, weak=False)
    try:
        with start_worker(
            app,
            pool="threads",
            concurrency=2,
            perform_ping_check=False,
            loglevel="WARNING",
            shutdown_timeout=30,
        ) as worker:
            yield worker
    finally:
        task_postrun.disconnect(close_worker_thread_connections)
        app.conf.task_always_eager = True


def close_worker_thread_connections(**kwargs):
    """A worker keeps its connection from task to task (nextal/celery.py); the threads of this
    in-process one end with the test, and their connections would outlive them (and keep the
    test database from being dropped). The subprocess workers of tests/faults keep theirs."""
    if threading.current_thread() is not threading.main_thread():
        connections.close_all()


# --- Browser -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        unavailable("needs Chromium: apt-get install -y chromium")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # live server thread are unaffected, but fixtures touching the ORM here need this.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser, live_server):
    """A page with JavaScript disabled, to check that forms and panels still work."""
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def login(page):
    """Sign a user in through the real login form: `login(user)` (password "password")."""
    return lambda user, password="password": sign_in(page, user, password)


@pytest.fixture
def screenshot(page):
    """Save a screenshot under test-artifacts/ for reviewers: `screenshot("inbox")`."""

    def _shot(name):
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot
