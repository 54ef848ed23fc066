"""Sends keep their HTTP connection alive per thread (transport.pooled): reused by the next send
on the same thread, never shared with another thread, dropped after a failure or after 15 s
unused, with the same timeouts as a fresh one. The fake records each request's client
connection, so reuse is seen on the wire."""

import threading

import pytest

from integrations.providers import transport
from integrations.providers.base import ErrorKind, ProviderCredentials, ProviderError
from integrations.providers.twilio import TwilioProvider
from tests.fakes.provider_server import TWILIO_SID
from tests.integrations.providers.samples import RECIPIENT, SENDER
from tests.integrations.providers.test_transport_faults import PROVIDERS, adapter


def connections(fake_provider, kind):
    return [request.connection for request in fake_provider.requests_for(f"{kind}.send")]


@pytest.mark.parametrize("kind", PROVIDERS)
def test_sends_on_one_thread_reuse_one_connection(fake_provider, outbound, kind):
    provider = adapter(kind)
    for _ in range(3):
        provider.send(outbound)
    first, second, third = connections(fake_provider, kind)
    assert first == second == third
    assert fake_provider.sends_to(RECIPIENT) == 3


@pytest.mark.parametrize("kind", PROVIDERS)
def test_a_new_adapter_on_the_same_thread_reuses_the_connection(fake_provider, outbound, kind):
    adapter(kind).send(outbound)
    adapter(kind).send(outbound)  # the send task builds an adapter per message
    first, second = connections(fake_provider, kind)
    assert first == second


@pytest.mark.parametrize("kind", PROVIDERS)
def test_threads_never_share_a_connection(fake_provider, outbound, kind):
    used: dict[str, list] = {}
    barrier = threading.Barrier(4)

    def sends(name):
        provider = adapter(kind)
        barrier.wait()  # all threads send at the same time
        for _ in range(3):
            provider.send(outbound)
        transport.discard_pooled()

    threads = [threading.Thread(target=sends, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for request in fake_provider.requests_for(f"{kind}.send"):
        used.setdefault(request.connection, []).append(request)
    # Four threads, three sends each: four connections, each carrying one thread's three sends.
    assert sorted(len(requests) for requests in used.values()) == [3, 3, 3, 3]
    assert fake_provider.sends_to(RECIPIENT) == 12


@pytest.mark.parametrize("kind", PROVIDERS)
@pytest.mark.parametrize("fault", ["drop", "half_body"])
def test_a_connection_is_dropped_after_a_failure(fake_provider, outbound, kind, fault):
    provider = adapter(kind)
    provider.send(outbound)
    fake_provider.queue(f"{kind}.send", fault=fault)
    with pytest.raises(ProviderError):
        provider.send(outbound)
    provider.send(outbound)
    first, failed, after = connections(fake_provider, kind)
    assert first == failed  # the failure happened on the kept-alive connection
    assert after != failed


@pytest.mark.parametrize("kind", PROVIDERS)
def test_a_refusal_also_drops_the_connection(fake_provider, outbound, kind):
    provider = adapter(kind)
    if kind == "twilio":
        fake_provider.queue_twilio_error(21211)
    else:
        fake_provider.queue_clicksend_error(401, "UNAUTHORIZED")
    with pytest.raises(ProviderError):
        provider.send(outbound)
    provider.send(outbound)
    refused, after = connections(fake_provider, kind)
    if kind == "twilio":  # the SDK raises for a 4xx inside the call
        assert after != refused
    else:  # ClickSend's answer was read in full: the connection is clean and kept
        assert after == refused


@pytest.mark.parametrize("kind", PROVIDERS)
def test_a_connection_unused_for_15_seconds_is_not_reused(
    fake_provider, outbound, kind, monkeypatch
):
    clock = [1000.0]
    monkeypatch.setattr(transport.time, "monotonic", lambda: clock[0])
    provider = adapter(kind)
    provider.send(outbound)
    clock[0] += 14
    provider.send(outbound)
    clock[0] += transport.IDLE_SECONDS + 0.1
    provider.send(outbound)
    first, within, after_idle = connections(fake_provider, kind)
    assert first == within
    assert after_idle != within


@pytest.mark.parametrize("kind", PROVIDERS)
def test_a_kept_alive_connection_keeps_the_read_timeout(fake_provider, outbound, kind, settings):
    settings.SMS_PROVIDER_READ_TIMEOUT = 0.5
    provider = adapter(kind)
    provider.send(outbound)
    fake_provider.queue(f"{kind}.send", delay=30)
    with pytest.raises(ProviderError) as raised:
        provider.send(outbound)
    assert (raised.value.kind, raised.value.code) == (ErrorKind.AMBIGUOUS, "read_timeout")
    first, slow = connections(fake_provider, kind)
    assert first == slow


def test_the_twilio_session_refuses_cookies(fake_provider, outbound):
    fake_provider.queue("twilio.send", status=201, headers={"Set-Cookie": "lb=node-7; Path=/"})
    provider = adapter("twilio")
    provider.send(outbound)
    provider.send(outbound)
    first, second = fake_provider.requests_for("twilio.send")
    assert first.connection == second.connection
    assert "Cookie" not in second.headers


def test_pooled_closes_what_failed_and_keeps_what_worked():
    closed = []
    created = iter(["a", "b"])
    key = ("test", 1)

    with transport.pooled(key, lambda: next(created), closed.append) as client:
        assert client == "a"
    with transport.pooled(key, lambda: next(created), closed.append) as client:
        assert client == "a"
    with pytest.raises(RuntimeError), transport.pooled(key, lambda: next(created), closed.append):
        raise RuntimeError("boom")
    assert closed == ["a"]
    with transport.pooled(key, lambda: next(created), closed.append) as client:
        assert client == "b"
    transport.discard_pooled()
    assert closed == ["a", "b"]


def twilio_clients(monkeypatch) -> list:
    """Every Twilio Client the adapter builds, in order."""
    from integrations.providers import twilio

    built = []
    real = twilio.TwilioProvider._kept_client

    def spy(self, timeout, bundle):
        built.append(real(self, timeout, bundle))
        return built[-1]

    monkeypatch.setattr(twilio.TwilioProvider, "_kept_client", spy)
    return built


def test_a_thread_reuses_its_twilio_client_across_adapters(fake_provider, outbound, monkeypatch):
    built = twilio_clients(monkeypatch)
    adapter("twilio").send(outbound)
    adapter("twilio").send(outbound)  # the send task builds an adapter per message
    assert len(built) == 1
    assert len(fake_provider.requests_for("twilio.send")) == 2


def test_threads_never_share_a_twilio_client(fake_provider, outbound, monkeypatch):
    built = twilio_clients(monkeypatch)
    barrier = threading.Barrier(3)

    def sends():
        barrier.wait()
        for _ in range(2):
            adapter("twilio").send(outbound)
        transport.discard_pooled()

    threads = [threading.Thread(target=sends) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 3
    assert len({id(client.http_client.session) for client in built}) == 3
    assert fake_provider.sends_to(RECIPIENT) == 6


def test_new_credentials_replace_the_kept_twilio_client(fake_provider, outbound, monkeypatch):
    built = twilio_clients(monkeypatch)
    adapter("twilio").send(outbound)
    fake_provider.twilio_token = "another-token"
    renewed = TwilioProvider(ProviderCredentials(TWILIO_SID, "another-token", SENDER))
    renewed.send(outbound)
    renewed.send(outbound)
    assert len(built) == 2
    old, new = built
    assert old.password != new.password
    assert not old.http_client.session.adapters["http://"].poolmanager.pools  # closed
    first, second, third = connections(fake_provider, "twilio")
    assert first != second == third


def test_pooled_keeps_one_client_per_kind():
    closed = []
    with transport.pooled(("kind", 1), lambda: "one", closed.append):
        pass
    with transport.pooled(("kind", 2), lambda: "two", closed.append) as client:
        assert client == "two"
    assert closed == ["one"]
    with transport.pooled(("other", 1), lambda: "three", closed.append):
        pass
    transport.discard_pooled()
    assert sorted(closed) == ["one", "three", "two"]


def test_a_close_that_fails_hides_neither_the_failure_nor_the_next_client():
    def close(client):
        raise OSError(f"{client} was already gone")

    created = iter(["a", "b"])
    with (
        pytest.raises(RuntimeError, match="the send's own failure"),
        transport.pooled(("failing-close", 1), lambda: next(created), close),
    ):
        raise RuntimeError("the send's own failure")
    with transport.pooled(("failing-close", 1), lambda: next(created), close) as client:
        assert client == "b"
    transport.discard_pooled()  # closing "b" fails too: nothing is raised
    assert transport._kept_clients() == {}


def test_a_kept_session_reads_the_proxy_settings_per_host(monkeypatch):
    """The proxy variables are read once per host (and per explicit proxies), not once for all:
    a host in NO_PROXY goes direct, another through the proxy."""
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "direct.example")
    session = transport.ProviderSession()
    try:
        direct = session.merge_environment_settings(
            "https://direct.example/send", {}, None, None, None
        )
        proxied = session.merge_environment_settings(
            "https://api.example/send", {}, None, None, None
        )
        again = session.merge_environment_settings(
            "https://direct.example/other", {}, None, None, None
        )
        explicit = session.merge_environment_settings(
            "https://direct.example/send", {"https": "http://chosen.example:8080"}, None, None, None
        )
    finally:
        session.close()
    assert "https" not in direct["proxies"]
    assert proxied["proxies"]["https"] == "http://proxy.example:3128"
    assert again == direct
    assert explicit["proxies"]["https"] == "http://chosen.example:8080"


def test_a_kept_session_passes_on_the_call_s_settings_and_its_own_trust_store(monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/from-the-environment.pem")
    trusting = transport.ProviderSession(ca_bundle="/etc/nextal/provider-ca.pem")
    plain = transport.ProviderSession()
    try:
        merged = trusting.merge_environment_settings(
            "https://api.example/send", {}, True, True, "/etc/nextal/client.pem"
        )
        unverified = plain.merge_environment_settings(
            "https://api.example/send", {}, None, False, None
        )
    finally:
        trusting.close()
        plain.close()
    assert merged["stream"] is True
    assert merged["cert"] == "/etc/nextal/client.pem"
    assert merged["verify"] == "/etc/nextal/provider-ca.pem"  # over REQUESTS_CA_BUNDLE
    assert unverified["verify"] is False
    assert unverified["stream"] is False and unverified["cert"] is None
