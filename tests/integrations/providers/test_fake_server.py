"""The fake provider server itself: answers like the real APIs, records, scripts faults."""

import json
import subprocess
import sys
import time

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from tests.fakes.provider_server import (
    CLICKSEND_API_KEY,
    CLICKSEND_USERNAME,
    TWILIO_SID,
    TWILIO_TOKEN,
    FakeProviderServer,
)

TWILIO_AUTH = (TWILIO_SID, TWILIO_TOKEN)
CLICKSEND_AUTH = (CLICKSEND_USERNAME, CLICKSEND_API_KEY)


def twilio_client(server, token=TWILIO_TOKEN):
    client = Client(TWILIO_SID, token, http_client=TwilioHttpClient(timeout=5))
    client.api.base_url = server.url
    return client


def clicksend_send(base_url, messages, auth=CLICKSEND_AUTH):
    return requests.post(
        f"{base_url}/v3/sms/send", json={"messages": messages}, auth=auth, timeout=5
    )


def test_it_accepts_a_twilio_send_through_the_real_sdk_and_records_it(fake_provider):
    message = twilio_client(fake_provider).messages.create(
        to="+61411111111",
        from_="+61400000000",
        body="Hello Ada",
        status_callback="https://nextal.example.com/webhooks/twilio/status/?message=42",
    )

    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert message.status == "queued"
    assert message.num_segments == "1"
    assert message.date_created.year >= 2025
    [recorded] = fake_provider.requests
    assert recorded.method == "POST"
    assert recorded.path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    assert recorded.auth == TWILIO_AUTH
    assert recorded.form["To"] == ["+61411111111"]
    assert recorded.field("Body") == "Hello Ada"
    assert fake_provider.sends_to("+61411111111") == 1
    assert fake_provider.stats()["accepted_sends"] == 1


def test_it_gives_each_twilio_message_a_unique_sid(fake_provider):
    client = twilio_client(fake_provider)
    sids = {
        client.messages.create(to="+61411111111", from_="+61400000000", body="x").sid
        for _ in range(3)
    }
    assert len(sids) == 3
    assert fake_provider.sends_to("+61411111111") == 3
    assert fake_provider.stats()["duplicate_recipients"] == 1


def test_it_rejects_a_wrong_twilio_token_with_20003(fake_provider):
    with pytest.raises(TwilioRestException) as excinfo:
        twilio_client(fake_provider, token="wrong").api.accounts(TWILIO_SID).fetch()
    assert (excinfo.value.status, excinfo.value.code) == (401, 20003)
    assert fake_provider.sends_to("+61411111111") == 0


def test_it_serves_the_twilio_account_with_the_right_token(fake_provider):
    account = twilio_client(fake_provider).api.accounts(TWILIO_SID).fetch()
    assert account.sid == TWILIO_SID
    assert account.status == "active"


def test_it_plays_scripted_twilio_errors_in_order(fake_provider):
    fake_provider.queue_twilio_error(21211)
    fake_provider.queue_twilio_error(20429, status=429, retry_after=7)
    client = twilio_client(fake_provider)

    with pytest.raises(TwilioRestException) as first:
        client.messages.create(to="+61411111111", from_="+61400000000", body="x")
    with pytest.raises(TwilioRestException) as second:
        client.messages.create(to="+61411111111", from_="+61400000000", body="x")
    third = client.messages.create(to="+61411111111", from_="+61400000000", body="x")

    assert (first.value.status, first.value.code) == (400, 21211)
    assert "+61411111111" in first.value.msg
    assert (second.value.status, second.value.code) == (429, 20429)
    assert third.status == "queued"
    assert fake_provider.sends_to("+61411111111") == 1


def test_it_sends_retry_after_with_a_scripted_429(fake_provider):
    fake_provider.queue(
        "clicksend.send", status=429, json={"http_code": 429}, headers={"Retry-After": "12"}
    )
    response = clicksend_send(fake_provider.url, [{"to": "+61411111111", "body": "x"}])
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "12"


def test_it_accepts_a_clicksend_send_the_sdk_can_parse(fake_provider):
    import clicksend

    configuration = clicksend.Configuration(
        username=CLICKSEND_USERNAME, password=CLICKSEND_API_KEY, host=fake_provider.url
    )
    api = clicksend.SmsApi(clicksend.ApiClient(configuration))
    request = clicksend.SendSmsRequest(
        messages=[
            clicksend.SendSmsRequestMessagesInner(
                to="+61411111111", body="Hi", source="nextal", custom_string="m-7"
            )
        ]
    )

    response = api.send_sms(send_sms_request=request)

    [message] = response.data.messages
    assert message.status == "SUCCESS"
    assert message.custom_string == "m-7"
    assert message.message_id == message.message_id.upper()
    assert fake_provider.requests[0].json["messages"][0]["source"] == "nextal"
    assert fake_provider.sends_to("+61411111111") == 1


def test_its_loose_clicksend_variant_breaks_the_strict_sdk_but_still_counts_as_sent(
    fake_provider,
):
    import clicksend
    from pydantic import ValidationError

    fake_provider.queue_clicksend_loose_types()
    configuration = clicksend.Configuration(
        username=CLICKSEND_USERNAME, password=CLICKSEND_API_KEY, host=fake_provider.url
    )
    api = clicksend.SmsApi(clicksend.ApiClient(configuration))
    request = clicksend.SendSmsRequest(
        messages=[clicksend.SendSmsRequestMessagesInner(to="+61411111111", body="Hi")]
    )

    with pytest.raises(ValidationError):
        api.send_sms(send_sms_request=request)
    assert fake_provider.sends_to("+61411111111") == 1


def test_it_answers_clicksend_rejections_with_http_200(fake_provider):
    fake_provider.queue_clicksend_rejected("INVALID_RECIPIENT")
    response = clicksend_send(fake_provider.url, [{"to": "+61400", "body": "x"}])
    assert response.status_code == 200
    assert response.json()["data"]["messages"][0]["status"] == "INVALID_RECIPIENT"
    assert fake_provider.sends_to("+61400") == 0


def test_it_rejects_wrong_clicksend_credentials(fake_provider):
    response = requests.get(f"{fake_provider.url}/v3/account", auth=("x", "y"), timeout=5)
    assert response.status_code == 401
    assert response.json()["response_code"] == "UNAUTHORIZED"
    ok = requests.get(f"{fake_provider.url}/v3/account", auth=CLICKSEND_AUTH, timeout=5)
    assert ok.status_code == 200


def test_a_scripted_delay_outlasts_the_clients_read_timeout(fake_provider):
    fake_provider.queue("clicksend.send", delay=30)
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        requests.post(
            f"{fake_provider.url}/v3/sms/send",
            json={"messages": [{"to": "+61411111111", "body": "x"}]},
            auth=CLICKSEND_AUTH,
            timeout=(1, 0.3),
        )
    assert time.monotonic() - started < 15  # the client gave up long before the answer


def test_an_unparseable_answer_still_counts_as_accepted(fake_provider):
    fake_provider.queue_unparseable("clicksend.send")
    response = clicksend_send(fake_provider.url, [{"to": "+61411111111", "body": "x"}])
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()
    assert fake_provider.sends_to("+61411111111") == 1


def test_it_refuses_connections_on_the_closed_port_url(closed_port_url):
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{closed_port_url}/v3/account", timeout=2)


def test_it_points_settings_at_itself(fake_provider, settings):
    assert fake_provider.url == settings.TWILIO_API_BASE_URL
    assert fake_provider.url == settings.CLICKSEND_API_BASE_URL


def test_it_counts_duplicate_references_and_resets():
    with FakeProviderServer() as server:
        for _ in range(2):
            clicksend_send(
                server.url, [{"to": "+61411111111", "body": "x", "custom_string": "m-1"}]
            )
        clicksend_send(server.url, [{"to": "+61422222222", "body": "x", "custom_string": "m-2"}])
        stats = requests.get(f"{server.url}/_fake/stats", timeout=5).json()
        assert stats["duplicate_references"] == 1
        assert stats["sends_per_route"] == {"clicksend.send": 3}
        requests.post(f"{server.url}/_fake/reset", timeout=5)
        assert requests.get(f"{server.url}/_fake/stats", timeout=5).json()["total_requests"] == 0


def test_it_runs_standalone_and_prints_its_url_first():
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.provider_server", "--port", "0", "--delay", "0.05"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        requests.post(
            f"{url}/_fake/queue", json={"route": "clicksend.send", "status": 500}, timeout=5
        )
        started = time.monotonic()
        response = clicksend_send(url, [{"to": "+1", "body": "x"}])
        assert response.status_code == 500
        assert time.monotonic() - started >= 0.05
        stats = requests.get(f"{url}/_fake/stats", timeout=5).json()
        assert stats["total_requests"] == 1
        assert json.dumps(stats)
    finally:
        process.terminate()
        process.wait(timeout=10)
