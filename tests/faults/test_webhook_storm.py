"""The same inbound webhook posted 20 times at once over real HTTP (a live server, 20 threads,
PostgreSQL): every request answers 200 and exactly one message is stored.

tests/sms/inbound/test_concurrency_postgres.py does this for 8 in-process test clients; here the
requests race through a real socket and server threads, for both providers, and a STOP reply
must also record one opt-out with one timeline entry. Webhooks are stored first: the one
`INSERT … ON CONFLICT DO NOTHING` lets one request store the event and tells the 19 others theirs
is a duplicate, and the event is processed once.
"""

import json
import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
import requests
from django.conf import settings
from django.urls import reverse

from candidates.models import TimelineEvent
from sms.models import Message, OptOut, ProviderEvent, Thread
from tests.factories import CandidateFactory
from tests.fakes.twilio_webhooks import inbound_params, signature
from tests.helpers.providers import CANDIDATE_PHONE, CLICKSEND_FROM, TWILIO_FROM, configure

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SENDERS = 20


@pytest.fixture(autouse=True)
def duplicates(caplog):
    """How many requests found their event already stored (the unique constraint decided)."""
    caplog.set_level(logging.INFO, logger="sms.inbound.events")
    return lambda: caplog.text.count("1 duplicate")


def post_at_once(url: str, body: bytes, headers: dict) -> list[requests.Response]:
    """POST the same request from SENDERS threads released together."""
    barrier = threading.Barrier(SENDERS)

    def post(_):
        barrier.wait(timeout=10)
        return requests.post(url, data=body, headers=headers, timeout=30)

    with ThreadPoolExecutor(max_workers=SENDERS) as pool:
        return list(pool.map(post, range(SENDERS)))


def twilio_inbound(live_server, body: str) -> tuple[str, bytes, dict]:
    path = reverse("sms:twilio_inbound")
    message_sid = "SM" + uuid.uuid4().hex
    fields = inbound_params(message_sid, sender=CANDIDATE_PHONE, to=TWILIO_FROM, body=body)
    if body == "STOP":
        fields["OptOutType"] = "STOP"
    # Signed for the public URL Twilio calls (the app validates against PUBLIC_BASE_URL).
    signed = signature(settings.PUBLIC_BASE_URL + path, fields)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signed,
    }
    return live_server.url + path, urlencode(fields).encode(), headers


def clicksend_inbound(live_server, body: str) -> tuple[str, bytes, dict]:
    integration = configure("clicksend")
    path = reverse("sms:clicksend_inbound", kwargs={"token": integration.webhook_token})
    payload = {
        "from": CANDIDATE_PHONE,
        "to": CLICKSEND_FROM,
        "body": body,
        "timestamp": 1775012927,
        "message_id": str(uuid.uuid4()).upper(),
        "original_message_id": str(uuid.uuid4()).upper(),
        "custom_string": "",
    }
    return (
        live_server.url + path,
        json.dumps(payload).encode(),
        {"Content-Type": "application/json"},
    )


REQUESTS = {"twilio": twilio_inbound, "clicksend": clicksend_inbound}


@pytest.mark.parametrize("provider", list(REQUESTS))
def test_the_same_reply_posted_20_times_at_once_is_stored_once(live_server, provider, duplicates):
    configure(provider)
    candidate = CandidateFactory(phone=CANDIDATE_PHONE)
    url, body, headers = REQUESTS[provider](live_server, "Yes, Monday works")

    responses = post_at_once(url, body, headers)

    assert [r.status_code for r in responses] == [200] * SENDERS
    if provider == "twilio":
        assert {r.headers["Content-Type"] for r in responses} == {"text/xml"}
    message = Message.objects.get()
    assert (message.provider, message.body) == (provider, "Yes, Monday works")
    thread = Thread.objects.get()
    assert (thread.candidate, thread.unread_count) == (candidate, 1)
    assert TimelineEvent.objects.filter(candidate=candidate, kind="sms_received").count() == 1
    event = ProviderEvent.objects.get()
    assert (event.kind, event.processed_at is not None, event.error) == ("inbound", True, "")
    assert duplicates() == SENDERS - 1


@pytest.mark.parametrize("provider", list(REQUESTS))
def test_the_same_stop_posted_20_times_at_once_opts_out_once(live_server, provider, fake_provider):
    configure(provider)
    candidate = CandidateFactory(phone=CANDIDATE_PHONE)
    url, body, headers = REQUESTS[provider](live_server, "STOP")

    responses = post_at_once(url, body, headers)

    assert [r.status_code for r in responses] == [200] * SENDERS
    assert Message.objects.filter(direction="inbound").count() == 1
    opt_out = OptOut.objects.get()
    assert (opt_out.phone_number, opt_out.opted_out) == (CANDIDATE_PHONE, True)
    assert TimelineEvent.objects.filter(candidate=candidate, kind="opted_out").count() == 1
    # Twilio confirms STOP itself; for ClickSend Nextal sends exactly one confirmation.
    confirmations = 1 if provider == "clicksend" else 0
    assert Message.objects.filter(confirms_opt_out__isnull=False).count() == confirmations
    assert fake_provider.sends_to(CANDIDATE_PHONE) == confirmations
