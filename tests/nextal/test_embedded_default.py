"""The embedded default (`make run`, no REDIS_URL): the development server sweeps the SMS outbox
itself, PUBLIC_BASE_URL follows HOST and PORT, and seeding again changes nobody's login."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import RequestFactory
from whitenoise.runserver_nostatic.management.commands.runserver import (
    Command as WhiteNoiseRunserver,
)

from nextal.management.commands import runserver
from tests.helpers.polling import wait_until

ROOT = Path(__file__).resolve().parents[2]


def settings_in_a_fresh_process(**env) -> list[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PUBLIC_BASE_URL", "HOST", "PORT", "DJANGO_SETTINGS_MODULE"}
    }
    clean.update(NEXTAL_IGNORE_DOTENV="1", DJANGO_SETTINGS_MODULE="nextal.settings", DEBUG="1")
    clean.update(env)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "from django.core.management import get_commands; "
        "print(s.PUBLIC_BASE_URL, get_commands()['runserver'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_public_base_url_follows_host_and_port_when_unset():
    assert settings_in_a_fresh_process(PORT="8140") == ["http://127.0.0.1:8140", "nextal"]
    assert settings_in_a_fresh_process() == ["http://127.0.0.1:8000", "nextal"]
    local = settings_in_a_fresh_process(HOST="0.0.0.0", PORT="9000")  # noqa: S104
    assert local[0] == "http://127.0.0.1:9000"
    assert settings_in_a_fresh_process(HOST="nextal.local")[0] == "http://nextal.local:8000"
    set_explicitly = settings_in_a_fresh_process(PORT="8140", PUBLIC_BASE_URL="https://a.example")
    assert set_explicitly[0] == "https://a.example"


class Started:
    def __init__(self, every):
        self.every = every

    def start(self):
        started.append(self)
        return self


started: list[Started] = []


@pytest.fixture
def server(monkeypatch):
    started.clear()
    monkeypatch.setattr(runserver, "EmbeddedSweeper", Started)
    monkeypatch.setattr(WhiteNoiseRunserver, "inner_run", lambda self, *a, **o: "served")
    return runserver.Command(stdout=StringIO())


def test_runserver_sweeps_the_outbox_beside_the_server_without_redis(server, settings):
    settings.REDIS_URL = ""
    assert server.inner_run(use_threading=True) == "served"
    assert [s.every for s in started] == [settings.SMS_EMBEDDED_SWEEP_SECONDS]
    assert "SMS sweeper: every 10 s" in server.stdout._out.getvalue()
    server.inner_run(use_threading=True)  # once per server
    assert len(started) == 1


def test_runserver_leaves_sweeping_to_celery_beat_with_redis(server, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert server.inner_run(use_threading=True) == "served"
    assert started == []


def test_a_failing_sweep_does_not_end_the_sweeper_thread(monkeypatch):
    from sms.outbox import embedded

    sweeps = []

    def sweep():
        sweeps.append(1)
        if len(sweeps) == 1:
            raise RuntimeError("database is locked")

    monkeypatch.setattr(embedded, "sweep_outbox", sweep)
    monkeypatch.setattr(embedded, "close_old_connections", lambda: None)
    sweeper = embedded.EmbeddedSweeper(every=0.01).start()
    wait_until(lambda: len(sweeps) >= 3, timeout=10, what="three sweeps")
    sweeper.stop()
    assert not sweeper._thread.is_alive()


@pytest.mark.django_db(transaction=True)
def test_the_sweeper_thread_closes_its_connection_when_it_stops():
    """A connection is kept for CONN_MAX_AGE; the thread's own must not outlive the thread
    (on PostgreSQL it kept the test database from being dropped)."""
    from django.db import connections

    from sms.outbox import embedded

    opened = []

    def sweep():
        connections["default"].ensure_connection()
        opened.append(connections["default"])

    sweeper = embedded.EmbeddedSweeper(every=0.01)
    sweeper.sweep_once = sweep
    sweeper.start()
    wait_until(lambda: opened, timeout=10, what="a sweep")
    sweeper.stop()
    assert not sweeper._thread.is_alive()
    assert opened[0].connection is None


def test_seeding_again_leaves_users_passwords_and_sessions_alone(db, client):
    call_command("seed_demo", stdout=StringIO())
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("my own password")
    admin.save()
    client.force_login(admin)
    call_command("seed_demo", stdout=StringIO())
    request = RequestFactory().post("/accounts/login/")  # django-axes authenticates a request
    assert authenticate(request, username="admin", password="my own password") is not None
    assert authenticate(request, username="admin", password="nextal-admin-demo") is None
    assert client.get("/inbox/").status_code == 200  # still signed in
    assert authenticate(request, username="recruiter", password="nextal-recruiter-demo") is not None
