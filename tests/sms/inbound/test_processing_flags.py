"""The processing flags live in the broker's Redis: a task that clears its flag while that Redis
is unreachable carries on (the flag expires by itself), whichever flag it holds, and a webhook
or a task asking for a helper while it is unreachable publishes nothing, raises nothing and
leaves the events to the sweeper."""

import socket

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

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
        host="127.0.0.1", port=port, socket_connect_timeout=0.5, socket_timeout=0.5,
        retry=Retry(NoBackoff(), retries=0),  # redis-py retries a refused connection by default
    )  # fmt: skip
    monkeypatch.setattr(events, "_flag_client", client)
    assert events._flags() is client
    with pytest.raises(redis.ConnectionError):
        client.ping()
    return client


@pytest.mark.parametrize("helper", [False, True])
def test_clearing_a_flag_while_redis_is_unreachable_is_harmless(unreachable_flags, helper):
    assert events.release_processing_flag(helper=helper) is None


def test_a_webhook_cannot_take_the_flag_of_an_unreachable_redis_and_leaves_it_to_the_sweeper(
    unreachable_flags, caplog
):
    assert events.publish_processing([7, 8]) is False  # freeing the flag fails too: harmless

    [record] = [r for r in caplog.records if r.name == "sms.inbound.events"]
    assert record.levelname == "WARNING"
    assert record.getMessage().startswith(
        "Could not publish the processing of 2 webhook event(s) (ConnectionError: "
    )
    assert record.getMessage().endswith("; the sweeper will process them.")


def test_a_helper_asked_for_while_redis_is_unreachable_is_not_published(unreachable_flags, caplog):
    assert events.request_helper() is False

    [record] = [r for r in caplog.records if r.name == "sms.inbound.events"]
    assert record.getMessage().startswith("Could not publish the processing of 0 webhook event(s)")


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
