"""Webhook bodies an attacker (or a broken sender) can post with a valid token or signature: lone
surrogates, bodies the database refuses, oversized texts; and what gets logged about them."""

import json
import logging
import secrets
import uuid

import pytest
from django.conf import settings
from django.db import DataError, OperationalError
from django.urls import reverse

from nextal.log_redaction import RedactWebhookTokens
from sms.inbound import views
from sms.inbound.ingest import MAX_INBOUND_BODY_CHARS
from sms.models import Message, MessageStatus
from tests.fakes.twilio_webhooks import inbound_params
from tests.helpers.messages import add_message
from tests.helpers.providers import CANDIDATE_PHONE, CLICKSEND_FROM, TWILIO_FROM, configure
from tests.helpers.webhooks import processed
from tests.sms.inbound.test_webhooks_twilio import signed_post

LONE = "\\ud83d"  # as JSON writes it: json.loads gives a lone surrogate


@pytest.fixture
def clicksend(db, fake_provider):
    return configure("clicksend")


def clicksend_url(integration, route="inbound"):
    return reverse(f"sms:clicksend_{route}", kwargs={"token": integration.webhook_token})


def post_json(client, url, text):
    with processed():  # stored first, processed after commit
        return client.post(url, data=text.encode(), content_type="application/json")


def inbound_json(message_id, *, body="Hi", extra=""):
    head = f'"from": "{CANDIDATE_PHONE}", "to": "{CLICKSEND_FROM}", "message_id": "{message_id}"'
    return "{" + head + f', "timestamp": 1775012927, "body": "{body}"{extra}' + "}"


def test_a_lone_surrogate_in_a_clicksend_reply_is_kept_not_a_500(client, clicksend, candidate):
    message_id = str(uuid.uuid4()).upper()
    text = inbound_json(
        message_id,
        body=f"Yes {LONE} Monday",
        extra=f', "custom_string": "x{LONE}", "odd{LONE}key": ["{LONE}"]',
    )
    response = post_json(client, clicksend_url(clicksend), text)
    assert response.status_code == 200
    message = Message.objects.get(provider_message_id=message_id)
    assert message.body == "Yes \ufffd Monday"
    assert message.raw["custom_string"] == "x\ufffd"
    assert message.raw["odd\ufffdkey"] == ["\ufffd"]
    assert message.thread.candidate == candidate


def test_a_lone_surrogate_in_a_receipt_for_a_known_message_is_recorded(
    client, clicksend, candidate
):
    sent = add_message(candidate, "sent", provider="clicksend", provider_message_id="CS-1")
    text = (
        '{"message_id": "CS-1", "status_code": "301", "error_code": "E' + LONE + '", '
        '"error_text": "Carrier ' + LONE + ' rejected", "extra": "' + LONE + '"}'
    )
    response = post_json(client, clicksend_url(clicksend, "receipts"), text)
    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.status == MessageStatus.FAILED
    assert sent.error_message == "Carrier \ufffd rejected"
    assert sent.raw["extra"] == "\ufffd"


@pytest.mark.parametrize(
    ("failure", "status"),
    [(DataError("value refused"), 400), (OperationalError("database is down"), 503)],
)
def test_a_failure_while_recording_is_never_a_500(client, clicksend, monkeypatch, failure, status):
    def refuse(*args, **kwargs):
        raise failure

    monkeypatch.setattr(views, "store_events", refuse)
    text = inbound_json(str(uuid.uuid4()))
    assert post_json(client, clicksend_url(clicksend), text).status_code == status


def test_a_signed_body_longer_than_any_sms_is_cut_and_kept_whole_in_raw(db, client, fake_provider):
    configure("twilio")
    sid = "SM" + secrets.token_hex(16)
    body = "é" * 10_000
    fields = inbound_params(sid, sender=CANDIDATE_PHONE, to=TWILIO_FROM, body=body)
    response = signed_post(client, reverse("sms:twilio_inbound"), fields)
    assert response.status_code == 200
    message = Message.objects.get(provider_message_id=sid)
    assert len(message.body) == MAX_INBOUND_BODY_CHARS == 2_000
    assert message.raw["Body"] == body
    assert message.thread.last_message_preview == "é" * 160


def test_the_clicksend_token_is_never_logged(client, clicksend, caplog):
    """Nextal's warnings name the route; Django's own request lines go through the filter that
    settings.LOGGING puts on every handler."""
    token = clicksend.webhook_token
    path = clicksend_url(clicksend, "receipts")
    with caplog.at_level(logging.INFO):
        malformed = post_json(client, clicksend_url(clicksend), '{"from": "+614')
        empty = post_json(client, clicksend_url(clicksend, "receipts"), "[]")
    assert (malformed.status_code, empty.status_code) == (400, 400)
    ours = [r for r in caplog.records if r.name.startswith("sms.")]
    assert ours and all(token not in r.getMessage() for r in ours)
    assert "clicksend_inbound" in caplog.text
    # Django's own "Bad Request: /path" lines, as the configured handlers leave them.
    django_lines = [r.getMessage() for r in caplog.records if r.name == "django.request"]
    assert len(django_lines) == 2
    assert all(token not in line for line in django_lines)
    assert "Bad Request: /webhooks/clicksend/[token]/inbound/" in django_lines
    record = logging.LogRecord("django.server", logging.INFO, "", 0, '"%s" %s', (path, 200), None)
    RedactWebhookTokens().filter(record)
    assert record.getMessage() == '"/webhooks/clicksend/[token]/receipts/" 200'
    handlers = settings.LOGGING["handlers"]
    assert all("redact_webhook_tokens" in handler["filters"] for handler in handlers.values())
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["django.server"]


def test_gunicorn_access_lines_carry_no_token():
    from types import SimpleNamespace

    from gunicorn.config import Config

    from nextal.log_redaction import GunicornLogger

    path = "/webhooks/clicksend/s3cret-Token_1/inbound/"
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": path + "?x=1",
        "PATH_INFO": path,
        "QUERY_STRING": "x=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
    }
    resp = SimpleNamespace(status="200 OK", headers=[], sent=2)
    req = SimpleNamespace(headers=[("REFERER", "https://x" + path)])
    took = SimpleNamespace(seconds=0, microseconds=1500)
    atoms = GunicornLogger(Config()).atoms(resp, req, environ, took)
    line = json.dumps(atoms)
    assert "s3cret-Token_1" not in line
    assert atoms["r"] == "POST /webhooks/clicksend/[token]/inbound/?x=1 HTTP/1.1"
    assert atoms["U"] == "/webhooks/clicksend/[token]/inbound/"


# --- Twilio: a re-split signed replay, and another account's webhook -----------------------------


def resplit(fields):
    """The same signed string with `NumMedia` folded into the MessageSid's value: Twilio's
    signature concatenates key + value, so it still verifies."""
    fields = dict(fields)
    num_media = fields.pop("NumMedia")
    fields["MessageSid"] += "NumMedia" + num_media
    return fields


def test_a_resplit_signed_replay_is_not_stored_twice(db, client, fake_provider):
    configure("twilio")
    sid = "SM" + secrets.token_hex(16)
    fields = inbound_params(sid, sender=CANDIDATE_PHONE, to=TWILIO_FROM, body="Yes")
    path = reverse("sms:twilio_inbound")
    assert signed_post(client, path, fields).status_code == 200
    replay = resplit(fields)
    assert replay["MessageSid"] == sid + "NumMedia0"
    response = signed_post(client, path, replay)
    assert response.status_code == 400
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    "sid", ["SM" + "A" * 32, "SM" + "a" * 31, "SM" + "a" * 33, "XX" + "a" * 32, "MM12"]
)
def test_a_message_sid_of_another_shape_is_refused(db, client, fake_provider, sid):
    configure("twilio")
    inbound = inbound_params(sid, sender=CANDIDATE_PHONE, to=TWILIO_FROM, body="Yes")
    status = {"MessageSid": sid, "MessageStatus": "delivered", "AccountSid": inbound["AccountSid"]}
    assert signed_post(client, reverse("sms:twilio_inbound"), inbound).status_code == 400
    assert signed_post(client, reverse("sms:twilio_status"), status).status_code == 400
    assert not Message.objects.exists()


def test_media_messages_keep_their_mm_sid(db, client, fake_provider):
    configure("twilio")
    sid = "MM" + secrets.token_hex(16)
    fields = inbound_params(sid, sender=CANDIDATE_PHONE, to=TWILIO_FROM, body="")
    assert signed_post(client, reverse("sms:twilio_inbound"), fields).status_code == 200
    assert Message.objects.get().provider_message_id == sid


@pytest.mark.parametrize("account", ["", "AC" + "0" * 32])
def test_a_webhook_without_our_account_sid_is_refused(db, client, fake_provider, account):
    configure("twilio")
    sid = "SM" + secrets.token_hex(16)
    fields = inbound_params(sid, sender=CANDIDATE_PHONE, to=TWILIO_FROM, body="Yes")
    fields["AccountSid"] = account
    if not account:
        del fields["AccountSid"]
    assert signed_post(client, reverse("sms:twilio_inbound"), fields).status_code == 403
    assert not Message.objects.exists()


# --- Trailing slash ------------------------------------------------------------------------------


@pytest.mark.parametrize("debug", [True, False])
def test_webhook_urls_work_with_and_without_their_trailing_slash(
    db, client, fake_provider, settings, debug
):
    settings.DEBUG = debug
    clicksend = configure("clicksend")
    configure("twilio")
    for slash in ("/", ""):
        url = clicksend_url(clicksend).rstrip("/") + slash
        response = post_json(client, url, inbound_json(str(uuid.uuid4())))
        assert response.status_code == 200, url
        path = reverse("sms:twilio_inbound").rstrip("/") + slash
        sid = "SM" + secrets.token_hex(16)
        fields = inbound_params(sid, sender=CANDIDATE_PHONE, to=TWILIO_FROM, body="Hi")
        response = signed_post(client, path, fields)  # signed for the URL as requested
        assert response.status_code == 200, path
        assert Message.objects.filter(provider_message_id=sid).exists()
    assert Message.objects.count() == 4


def test_a_nul_in_a_signed_reply_is_cleaned_not_refused(db, client, fake_provider):
    """The site refuses NUL characters in parameters (a 400); webhooks keep the reply instead."""
    configure("twilio")
    sid = "SM" + secrets.token_hex(16)
    fields = inbound_params(sid, sender=CANDIDATE_PHONE, to=TWILIO_FROM, body="Ye\x00s")
    assert signed_post(client, reverse("sms:twilio_inbound"), fields).status_code == 200
    assert Message.objects.get(provider_message_id=sid).body == "Yes"
