"""ClickSend webhooks: the secret path token, and lenient parsing of JSON and form posts."""

import json
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from django.test import RequestFactory

from integrations.providers.base import ProviderCredentials, WebhookRejected
from integrations.providers.clicksend import ClickSendProvider
from sms.models import MessageStatus
from tests.fakes.provider_server import CLICKSEND_API_KEY, CLICKSEND_USERNAME
from tests.integrations.providers.samples import WEBHOOK_TOKEN, payload

INBOUND_PATH = f"/webhooks/clicksend/{WEBHOOK_TOKEN}/inbound/"
RECEIPTS_PATH = f"/webhooks/clicksend/{WEBHOOK_TOKEN}/receipts/"


def provider(webhook_token=WEBHOOK_TOKEN) -> ClickSendProvider:
    return ClickSendProvider(
        ProviderCredentials(CLICKSEND_USERNAME, CLICKSEND_API_KEY, webhook_token=webhook_token)
    )


def json_post(path, data):
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return RequestFactory().post(path, data=body, content_type="application/json")


def form_post(path, data):
    return RequestFactory().post(
        path, data=urlencode(data), content_type="application/x-www-form-urlencoded"
    )


# --- the path token -------------------------------------------------------------------------------


def test_it_accepts_the_integrations_token():
    request = json_post(INBOUND_PATH, payload("clicksend_inbound.json"))
    provider().validate_webhook(request, public_url="", path_token=WEBHOOK_TOKEN)


@pytest.mark.parametrize(
    ("path_token", "configured_token"),
    [
        ("not-the-token", WEBHOOK_TOKEN),
        (WEBHOOK_TOKEN[:-1], WEBHOOK_TOKEN),
        ("", WEBHOOK_TOKEN),
        ("", ""),  # an integration without a token accepts nothing
        ("tökén", WEBHOOK_TOKEN),  # non-ASCII must not crash the comparison
    ],
)
def test_it_answers_404_to_a_wrong_token(path_token, configured_token):
    request = json_post(INBOUND_PATH, payload("clicksend_inbound.json"))

    with pytest.raises(WebhookRejected) as excinfo:
        provider(configured_token).validate_webhook(request, public_url="", path_token=path_token)

    assert (excinfo.value.status, excinfo.value.reason) == (404, "Unknown webhook URL.")


# --- inbound messages -----------------------------------------------------------------------------


def test_it_normalizes_a_json_inbound_message():
    data = payload("clicksend_inbound.json")

    [inbound] = provider().parse_inbound(json_post(INBOUND_PATH, data))

    assert inbound.provider_message_id == "1F12D781-99C1-6D94-96FE-F5A311C8997D"
    assert inbound.from_number == "+61429912603"
    assert inbound.to_number == "+61477485926"
    assert inbound.body == "trigger reply"
    assert inbound.received_at == datetime.fromtimestamp(1775012927, tz=UTC)
    assert inbound.opt_out_type is None
    assert inbound.raw == data


def test_it_normalizes_a_form_encoded_inbound_message_the_same_way():
    data = payload("clicksend_inbound.json")

    [from_form] = provider().parse_inbound(form_post(INBOUND_PATH, data))
    [from_json] = provider().parse_inbound(json_post(INBOUND_PATH, data))

    assert from_form.provider_message_id == from_json.provider_message_id
    assert from_form.body == from_json.body
    assert from_form.received_at == from_json.received_at
    assert from_form.raw["original_message_id"] == "1F12D717-947A-6FBC-BBFE-D14C2927CEEF"


def test_it_accepts_numbers_sent_as_strings_and_strings_sent_as_numbers():
    data = {**payload("clicksend_inbound.json"), "timestamp": "1775012927", "from": 61429912603}

    [inbound] = provider().parse_inbound(json_post(INBOUND_PATH, data))

    assert inbound.received_at == datetime(2026, 4, 1, 3, 8, 47, tzinfo=UTC)
    assert inbound.from_number == "61429912603"


def test_an_empty_body_is_an_empty_message():
    data = {**payload("clicksend_inbound.json"), "body": ""}
    [inbound] = provider().parse_inbound(json_post(INBOUND_PATH, data))
    assert inbound.body == ""


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{not json", "The body is not valid JSON."),
        (b"\xff\xfe", "The body is not valid JSON."),
        ("[1, 2]", "The JSON body is not an object."),
        ("[]", "The JSON body is not an object."),
        ('"a string"', "The JSON body is not an object."),
        (json.dumps({"to": "+61477485926", "body": "x", "message_id": "A"}), "from is missing."),
        (json.dumps({"from": "+1", "to": "+2", "body": "x"}), "message_id is missing."),
        (json.dumps({"from": "+1", "body": "x", "message_id": "A"}), "to is missing."),
        (
            json.dumps({"from": {"n": 1}, "to": "+2", "message_id": "A"}),
            "from has the wrong type.",
        ),
        (
            json.dumps({"from": "+1", "to": "+2", "message_id": "A", "timestamp": "yesterday"}),
            "timestamp is not a number.",
        ),
    ],
)
def test_a_malformed_inbound_message_is_rejected_with_400(body, reason):
    with pytest.raises(WebhookRejected) as excinfo:
        provider().parse_inbound(json_post(INBOUND_PATH, body))

    assert (excinfo.value.status, excinfo.value.reason) == (400, reason)


def test_an_empty_form_is_rejected_with_400():
    with pytest.raises(WebhookRejected) as excinfo:
        provider().parse_inbound(form_post(INBOUND_PATH, {}))
    assert (excinfo.value.status, excinfo.value.reason) == (400, "The body is empty.")


def test_a_receipt_can_come_as_a_query_string():
    """ClickSend's rules can call the URL with GET and the fields in the query string."""
    data = payload("clicksend_receipt_delivered.json")
    request = RequestFactory().get(RECEIPTS_PATH, data)
    [event] = provider().parse_status(request)
    assert (event.provider_message_id, event.status) == (
        "1F12D717-947A-6FBC-BBFE-D14C2927CEEF",
        MessageStatus.DELIVERED,
    )


def test_a_repeated_form_field_keeps_every_value():
    data = {**payload("clicksend_receipt_delivered.json"), "error_text": ["a", "b"]}
    request = RequestFactory().post(
        RECEIPTS_PATH,
        data=urlencode(data, doseq=True),
        content_type="application/x-www-form-urlencoded",
    )
    with pytest.raises(WebhookRejected) as excinfo:
        provider().parse_status(request)
    assert excinfo.value.reason == "error_text has the wrong type."


# --- delivery receipts ----------------------------------------------------------------------------


def test_it_normalizes_a_delivered_receipt_with_string_numbers():
    data = payload("clicksend_receipt_delivered.json")

    [event] = provider().parse_status(form_post(RECEIPTS_PATH, data))

    assert event.provider_message_id == "1F12D717-947A-6FBC-BBFE-D14C2927CEEF"
    assert event.status == MessageStatus.DELIVERED
    assert event.reference == "42"
    assert event.error_code == ""
    assert event.error_message == ""
    assert event.occurred_at == datetime.fromtimestamp(1775012927, tz=UTC)
    assert event.raw == data


def test_it_normalizes_a_failed_receipt_with_integer_numbers():
    [event] = provider().parse_status(
        json_post(RECEIPTS_PATH, payload("clicksend_receipt_failed.json"))
    )

    assert event.status == MessageStatus.FAILED
    assert event.error_code == "301"
    assert event.error_message == "Unknown subscriber"
    assert event.reference == "43"


@pytest.mark.parametrize(
    ("status_code", "ours"),
    [(200, MessageStatus.SENT), ("200", MessageStatus.SENT), (201, MessageStatus.DELIVERED)],
)
def test_it_maps_receipt_codes_to_our_statuses(status_code, ours):
    data = {**payload("clicksend_receipt_failed.json"), "status_code": status_code}
    [event] = provider().parse_status(json_post(RECEIPTS_PATH, data))
    assert event.status == ours


@pytest.mark.parametrize("status_code", [300, "300", 999])
def test_it_ignores_receipts_that_are_not_final_or_not_known(status_code, caplog):
    data = {**payload("clicksend_receipt_failed.json"), "status_code": status_code}
    with caplog.at_level("INFO", logger="integrations.providers.clicksend"):
        assert provider().parse_status(json_post(RECEIPTS_PATH, data)) == []
    ignored = f"Ignoring ClickSend receipt status {int(status_code)} for {data['message_id']}"
    assert ignored in caplog.messages


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"status_code": "delivered"}, "status_code is not a number."),
        ({"status_code": 2.5}, "status_code is not a number."),
        ({"status_code": None}, "status_code is missing."),
        ({"status_code": ""}, "status_code is missing."),
        ({"status_code": True}, "status_code is missing."),
        ({"message_id": ""}, "message_id is missing."),
        ({"message_id": ["A", "B"]}, "message_id has the wrong type."),
    ],
)
def test_a_malformed_receipt_is_rejected_with_400(change, reason):
    data = {**payload("clicksend_receipt_failed.json"), **change}

    with pytest.raises(WebhookRejected) as excinfo:
        provider().parse_status(json_post(RECEIPTS_PATH, data))

    assert (excinfo.value.status, excinfo.value.reason) == (400, reason)


def test_an_ignored_receipt_is_logged_with_its_code_and_message(caplog):
    data = {**payload("clicksend_receipt_failed.json"), "status_code": 300}
    with caplog.at_level("INFO", logger="integrations.providers.clicksend"):
        assert provider().parse_status(json_post(RECEIPTS_PATH, data)) == []
    assert f"Ignoring ClickSend receipt status 300 for {data['message_id']}" in caplog.text


def test_a_batch_of_receipts_skips_the_ignored_and_keeps_the_rest():
    base = payload("clicksend_receipt_failed.json")
    batch = [
        {**base, "message_id": "PENDING", "status_code": 300},
        {**base, "message_id": "FAILED", "error_text": ""},
    ]
    [event] = provider().parse_status(json_post(RECEIPTS_PATH, batch))
    assert event.provider_message_id == "FAILED"
    # Without ClickSend's words, the code stands in for them.
    assert (event.error_code, event.error_message) == ("301", "ClickSend error 301")


@pytest.mark.parametrize(
    ("timestamp", "when"),
    [
        ("1775012927", datetime.fromtimestamp(1775012927, tz=UTC)),
        (1775012927.5, datetime.fromtimestamp(1775012927.5, tz=UTC)),
        ("", None),
        (None, None),
    ],
)
def test_a_receipts_timestamp_is_unix_seconds_or_absent(timestamp, when):
    data = {**payload("clicksend_receipt_failed.json"), "timestamp": timestamp}
    [event] = provider().parse_status(json_post(RECEIPTS_PATH, data))
    assert event.occurred_at == when


@pytest.mark.parametrize("timestamp", [True, "soon", "1e400", [1]])
def test_a_receipt_with_an_unreadable_timestamp_is_rejected_with_400(timestamp):
    data = {**payload("clicksend_receipt_failed.json"), "timestamp": timestamp}
    with pytest.raises(WebhookRejected) as excinfo:
        provider().parse_status(json_post(RECEIPTS_PATH, data))
    assert (excinfo.value.status, excinfo.value.reason) == (400, "timestamp is not a number.")
