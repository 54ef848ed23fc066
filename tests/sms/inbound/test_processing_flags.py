"""The processing flags live in the broker's Redis: a task that clears its flag while that Redis
is unreachable carries on (the flag expires by itself), whichever flag it holds."""

import socket

import pytest
import redis

from nextal.celery import app
from sms.inbound import events


@pytest.fixture
def unreachable_flags(monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # A Redis broker (tasks not run in-process) whose server is out of reach.
    monkeypatch.setitem(app.conf, "broker_url", f"redis://127.0.0.1:{port}/0")
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    client = redis.Redis(
        host="127.0.0.1", port=port, socket_connect_timeout=0.5, socket_timeout=0.5
    )
    monkeypatch.setattr(events, "_flag_client", client)
    assert events._flags() is client
    with pytest.raises(redis.ConnectionError):
        client.ping()
    return client


@pytest.mark.parametrize("helper", [False, True])
def test_clearing_a_flag_while_redis_is_unreachable_is_harmless(unreachable_flags, helper):
    assert events.release_processing_flag(helper=helper) is None


@pytest.mark.parametrize("scheme", ["redis", "rediss"])
def test_the_flags_client_is_the_brokers_redis_with_its_timeouts(monkeypatch, settings, scheme):
    """Built without connecting; over TLS for a rediss:// broker; never without the broker's
    connection timeout (a hung Redis must not hang a webhook)."""
    settings.CELERY_BROKER_CONNECTION_TIMEOUT = 2.5
    monkeypatch.setitem(app.conf, "broker_url", f"{scheme}://127.0.0.1:6399/3")
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(events, "_flag_client", None)

    client = events._flags()

    pool = client.connection_pool
    assert pool.connection_kwargs["socket_timeout"] == 2.5
    assert pool.connection_kwargs["socket_connect_timeout"] == 2.5
    assert (pool.connection_kwargs["port"], pool.connection_kwargs["db"]) == (6399, 3)
    assert issubclass(pool.connection_class, redis.SSLConnection) is (scheme == "rediss")
    assert events._flags() is client  # one client per process


@pytest.mark.parametrize("url", ["", "amqp://guest:guest@127.0.0.1:5672//"])
def test_without_a_redis_broker_there_are_no_flags(monkeypatch, url):
    monkeypatch.setitem(app.conf, "broker_url", url)
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(events, "_flag_client", None)
    assert events._flags() is None
