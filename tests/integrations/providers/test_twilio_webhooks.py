"""Twilio webhooks: X-Twilio-Signature checks and normalizing inbound messages and callbacks."""

import logging
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.test import RequestFactory
from twilio.request_validator import RequestValidator

from integrations.providers.base import ProviderCredentials, WebhookRejected
from integrations.providers.twilio import TwilioProvider
from sms.models import MessageStatus
from tests.fakes.provider_server import TWILIO_SID, TWILIO_TOKEN
from tests.integrations.providers.samples import payload

INBOUND_URL = "https://nextal.example.com/webhooks/twilio/inbound/"
STATUS_URL = "https://nextal.example.com/webhooks/twilio/status/?message=42"
FORM = "application/x-www-form-urlencoded"


def provider(secret=TWILIO_TOKEN) -> TwilioProvider:
    return TwilioProvider(ProviderCredentials(TWILIO_SID, secret))


def twilio_post(url: str, params, *, signature: str | None = None, signed_url: str | None = None):
    """A request as Twilio sends it: form-encoded, signed over `signed_url` (default `url`)."""
    pairs = list(params.lists()) if isinstance(params, QueryDict) else list(params.items())
    body = urlencode([(k, v) for k, values in pairs for v in _as_list(values)])
    if signature is None:
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(signed_url or url, params)
    path = url.removeprefix("https://nextal.example.com")
    return RequestFactory().post(
        path, data=body, content_type=FORM, headers={"X-Twilio-Signature": signature}
    )


def _as_list(values):
    return values if isinstance(values, list) else [values]


# --- signature ------------------------------------------------------------------------------------


def test_the_official_twilio_vector_still_holds():
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    request = RequestFactory().post(
        "/myapp.php?foo=1&bar=2",
        data=urlencode(params),
        content_type=FORM,
        headers={"X-Twilio-Signature": "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
    )

    assert RequestValidator("12345").compute_signature(url, params) == (
        "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    )
    # The signature holds; the vector (a voice call) names no AccountSid, so it is not ours.
    with pytest.raises(WebhookRejected, match="another Twilio account"):
        provider("12345").validate_webhook(request, public_url=url, path_token="")
    with pytest.raises(WebhookRejected, match="does not match"):
        provider("54321").validate_webhook(request, public_url=url, path_token="")


def test_it_accepts_a_correctly_signed_inbound_message():
    request = twilio_post(INBOUND_URL, payload("twilio_inbound_sms.json"))
    provider().validate_webhook(request, public_url=INBOUND_URL, path_token="")


def test_it_accepts_the_url_with_the_default_port():
    request = twilio_post(
        INBOUND_URL,
        payload("twilio_inbound_sms.json"),
        signed_url="https://nextal.example.com:443/webhooks/twilio/inbound/",
    )
    provider().validate_webhook(request, public_url=INBOUND_URL, path_token="")


def test_it_covers_every_value_of_a_repeated_key():
    params = QueryDict(mutable=True)
    params.update(payload("twilio_inbound_sms.json"))
    params.setlist("MediaUrl0", ["https://example.com/a.jpg", "https://example.com/b.jpg"])
    signed = twilio_post(INBOUND_URL, params)
    provider().validate_webhook(signed, public_url=INBOUND_URL, path_token="")

    signed_over_first_value_only = twilio_post(
        INBOUND_URL,
        params,
        signature=RequestValidator(TWILIO_TOKEN).compute_signature(INBOUND_URL, params.dict()),
    )
    with pytest.raises(WebhookRejected) as excinfo:
        provider().validate_webhook(
            signed_over_first_value_only, public_url=INBOUND_URL, path_token=""
        )
    assert excinfo.value.status == 403


@pytest.mark.parametrize(
    "validated_url",
    [
        "http://nextal.example.com/webhooks/twilio/inbound/",  # TLS ended at a proxy
        "https://nextal.example.com/webhooks/twilio/inbound",  # trailing slash
        "https://nextal.example.com/webhooks/twilio/status/",  # another endpoint
    ],
)
def test_it_rejects_a_signature_made_for_another_url(validated_url):
    request = twilio_post(INBOUND_URL, payload("twilio_inbound_sms.json"))

    with pytest.raises(WebhookRejected) as excinfo:
        provider().validate_webhook(request, public_url=validated_url, path_token="")

    assert excinfo.value.status == 403


def test_it_rejects_a_parameter_added_after_signing():
    params = payload("twilio_inbound_sms.json")
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(INBOUND_URL, params)
    request = twilio_post(INBOUND_URL, {**params, "Body": "Send me money"}, signature=signature)

    with pytest.raises(WebhookRejected) as excinfo:
        provider().validate_webhook(request, public_url=INBOUND_URL, path_token="")

    assert excinfo.value.status == 403


@pytest.mark.parametrize(
    ("signature", "secret", "reason"),
    [
        ("", TWILIO_TOKEN, "The X-Twilio-Signature header is missing."),
        ("bm90LWEtc2lnbmF0dXJl", TWILIO_TOKEN, "The X-Twilio-Signature does not match."),
        # undecryptable / unset secret
        (None, "", "No Twilio Auth Token is set to check the signature."),
    ],
)
def test_it_rejects_requests_it_cannot_authenticate(signature, secret, reason):
    request = twilio_post(INBOUND_URL, payload("twilio_inbound_sms.json"), signature=signature)

    with pytest.raises(WebhookRejected) as excinfo:
        provider(secret).validate_webhook(request, public_url=INBOUND_URL, path_token="")

    assert (excinfo.value.status, excinfo.value.reason) == (403, reason)


def test_a_request_without_the_signature_header_says_it_is_missing():
    body = urlencode(payload("twilio_inbound_sms.json"))
    request = RequestFactory().post("/webhooks/twilio/inbound/", data=body, content_type=FORM)
    assert "X-Twilio-Signature" not in request.headers

    with pytest.raises(WebhookRejected) as excinfo:
        provider().validate_webhook(request, public_url=INBOUND_URL, path_token="")

    assert (excinfo.value.status, excinfo.value.reason) == (
        403,
        "The X-Twilio-Signature header is missing.",
    )


def test_a_signed_webhook_of_another_account_is_refused():
    params = {**payload("twilio_inbound_sms.json"), "AccountSid": "AC" + "f" * 32}
    request = twilio_post(INBOUND_URL, params)

    with pytest.raises(WebhookRejected) as excinfo:
        provider().validate_webhook(request, public_url=INBOUND_URL, path_token="")

    assert (excinfo.value.status, excinfo.value.reason) == (
        403,
        "This webhook is for another Twilio account.",
    )


def test_it_only_accepts_form_encoded_bodies():
    request = RequestFactory().post(
        "/webhooks/twilio/inbound/",
        data=payload("twilio_inbound_sms.json"),
        content_type="application/json",
        headers={"X-Twilio-Signature": "anything"},
    )

    with pytest.raises(WebhookRejected) as excinfo:
        provider().validate_webhook(request, public_url=INBOUND_URL, path_token="")

    assert (excinfo.value.status, excinfo.value.reason) == (
        400,
        "Twilio webhooks must be form-encoded.",
    )


# --- inbound messages -----------------------------------------------------------------------------


def test_it_normalizes_an_inbound_message_and_keeps_everything_posted():
    params = payload("twilio_inbound_sms.json")

    [inbound] = provider().parse_inbound(twilio_post(INBOUND_URL, params))

    assert inbound.provider_message_id == "SM4f8c3a1b2d6e7f8091a2b3c4d5e6f708"
    assert inbound.from_number == "+61411111111"
    assert inbound.to_number == "+61400000000"
    assert inbound.body == "Yes, Tuesday at 10 works for me"
    assert inbound.opt_out_type is None
    assert inbound.received_at is None
    assert inbound.raw == params


def test_it_passes_on_twilios_opt_out_type():
    [inbound] = provider().parse_inbound(
        twilio_post(INBOUND_URL, payload("twilio_inbound_stop.json"))
    )
    assert inbound.opt_out_type == "STOP"
    assert inbound.body == "Stop"


def test_a_media_only_message_has_an_empty_body():
    [inbound] = provider().parse_inbound(
        twilio_post(INBOUND_URL, payload("twilio_inbound_media_only.json"))
    )
    assert inbound.body == ""
    assert inbound.provider_message_id.startswith("MM")
    assert inbound.raw["MediaContentType0"] == "image/jpeg"


def test_a_short_code_sender_is_kept_as_sent():
    params = {**payload("twilio_inbound_sms.json"), "From": "72345"}
    [inbound] = provider().parse_inbound(twilio_post(INBOUND_URL, params))
    assert inbound.from_number == "72345"


@pytest.mark.parametrize("missing", ["MessageSid", "From", "To"])
def test_an_inbound_message_without_required_fields_is_malformed(missing):
    params = payload("twilio_inbound_sms.json")
    del params[missing]

    with pytest.raises(WebhookRejected) as excinfo:
        provider().parse_inbound(twilio_post(INBOUND_URL, params))

    assert excinfo.value.status == 400
    assert missing in excinfo.value.reason


# --- status callbacks -----------------------------------------------------------------------------


def test_it_normalizes_a_delivered_callback_with_our_reference():
    params = payload("twilio_status_delivered.json")

    [event] = provider().parse_status(twilio_post(STATUS_URL, params))

    assert event.provider_message_id == "SM6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e"
    assert event.status == MessageStatus.DELIVERED
    assert event.reference == "42"
    assert (event.error_code, event.error_message) == ("", "")
    assert event.occurred_at == datetime(2026, 4, 1, 12, 5, tzinfo=UTC)
    assert event.raw == params


def test_a_stop_blocked_send_fails_later_with_21610():
    [event] = provider().parse_status(
        twilio_post(STATUS_URL, payload("twilio_status_failed_opted_out.json"))
    )
    assert event.status == MessageStatus.FAILED
    assert event.error_code == "21610"
    assert event.error_message == (
        "The recipient has opted out of messages (replied STOP) (Twilio 21610)"
    )


@pytest.mark.parametrize(
    ("twilio_status", "ours"),
    [
        ("queued", MessageStatus.SENT),
        ("accepted", MessageStatus.SENT),
        ("scheduled", MessageStatus.SENT),
        ("sending", MessageStatus.SENT),
        ("sent", MessageStatus.SENT),
        ("delivered", MessageStatus.DELIVERED),
        ("read", MessageStatus.DELIVERED),
        ("undelivered", MessageStatus.UNDELIVERED),
        ("failed", MessageStatus.FAILED),
        ("canceled", MessageStatus.CANCELED),
        ("DELIVERED", MessageStatus.DELIVERED),
    ],
)
def test_it_maps_twilio_statuses_to_ours(twilio_status, ours):
    params = {**payload("twilio_status_delivered.json"), "MessageStatus": twilio_status}
    [event] = provider().parse_status(twilio_post(STATUS_URL, params))
    assert event.status == ours


@pytest.mark.parametrize("twilio_status", ["receiving", "received", "teleported"])
def test_it_ignores_statuses_that_say_nothing_about_an_outbound_message(twilio_status, caplog):
    params = {**payload("twilio_status_delivered.json"), "MessageStatus": twilio_status}
    with caplog.at_level(logging.INFO, logger="integrations.providers.twilio"):
        assert provider().parse_status(twilio_post(STATUS_URL, params)) == []
    assert caplog.messages == [
        f"Ignoring Twilio status {twilio_status!r} for {params['MessageSid']}"
    ]


def test_it_falls_back_to_sms_status():
    params = payload("twilio_status_delivered.json")
    del params["MessageStatus"]
    [event] = provider().parse_status(twilio_post(STATUS_URL, params))
    assert event.status == MessageStatus.DELIVERED


def test_a_callback_without_our_reference_has_an_empty_one():
    url = "https://nextal.example.com/webhooks/twilio/status/"
    [event] = provider().parse_status(twilio_post(url, payload("twilio_status_delivered.json")))
    assert event.reference == ""


@pytest.mark.parametrize(
    ("missing", "reason"),
    [("MessageSid", "MessageSid is missing."), ("status", "MessageStatus is missing.")],
)
def test_a_callback_without_required_fields_is_malformed(missing, reason):
    params = payload("twilio_status_delivered.json")
    for name in ("MessageStatus", "SmsStatus") if missing == "status" else (missing,):
        del params[name]

    with pytest.raises(WebhookRejected) as excinfo:
        provider().parse_status(twilio_post(STATUS_URL, params))

    assert (excinfo.value.status, excinfo.value.reason) == (400, reason)


def test_an_ignored_status_is_logged_with_the_word_and_the_sid(caplog):
    params = {**payload("twilio_status_delivered.json"), "MessageStatus": "receiving"}
    with caplog.at_level("INFO", logger="integrations.providers.twilio"):
        assert provider().parse_status(twilio_post(STATUS_URL, params)) == []
    assert f"Ignoring Twilio status 'receiving' for {params['MessageSid']}" in caplog.text


OUR_NUMBER = "+15145550100"
OUR_SERVICE = "MG" + "a" * 32


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"MessagingServiceSid": OUR_SERVICE, "AccountSid": TWILIO_SID}, "service"),
        # Our service named by another account (or by none) is not ours (issue 16, defect 7).
        ({"MessagingServiceSid": OUR_SERVICE, "AccountSid": "AC" + "0" * 32}, None),
        ({"MessagingServiceSid": OUR_SERVICE}, None),
        ({"AccountSid": TWILIO_SID, "To": OUR_NUMBER, "From": "+15145550199"}, "number"),
        ({"AccountSid": TWILIO_SID, "From": OUR_NUMBER, "To": "+15145550199"}, "number"),
        (
            {"AccountSid": TWILIO_SID, "MessagingServiceSid": "MG" + "b" * 32, "To": OUR_NUMBER},
            "number",
        ),
        ({"AccountSid": TWILIO_SID, "To": "+15145550142", "From": "+15145550199"}, "account"),
        ({"AccountSid": "AC" + "f" * 32, "To": OUR_NUMBER}, None),
    ],
)
def test_a_signed_webhook_belongs_by_service_number_or_account(params, match, caplog):
    twilio = TwilioProvider(
        ProviderCredentials(TWILIO_SID, TWILIO_TOKEN, OUR_NUMBER, messaging_service_sid=OUR_SERVICE)
    )
    with caplog.at_level("WARNING", logger="integrations.providers.twilio"):
        assert twilio.webhook_match(params) == match
    # Only a webhook of our account for a number that is not ours is worth a warning.
    warned = (
        "Signed Twilio webhook for a number that is neither the Phone Number nor the "
        "Messaging Service; kept."
    )
    assert (warned in caplog.text) is (match == "account")


def test_without_a_phone_number_an_unnamed_number_is_no_match_of_the_number(caplog):
    """A Messaging Service integration has no Phone Number: a webhook of our account for
    another service and no number reads as the account's, not as "our number"."""
    twilio = TwilioProvider(
        ProviderCredentials(TWILIO_SID, TWILIO_TOKEN, "", messaging_service_sid=OUR_SERVICE)
    )
    params = {"AccountSid": TWILIO_SID, "MessagingServiceSid": "MG" + "c" * 32}
    assert twilio.webhook_match(params) == "account"


def test_a_repeated_field_is_kept_as_every_value_it_was_posted_with():
    params = {**payload("twilio_status_delivered.json")}
    body = urlencode(params) + "&ErrorCode=1&ErrorCode=2"
    request = RequestFactory().post(
        STATUS_URL, data=body, content_type="application/x-www-form-urlencoded"
    )
    [event] = provider().parse_status(request)
    assert event.raw["ErrorCode"] == ["1", "2"]
    assert event.raw["MessageSid"] == params["MessageSid"]  # a single value stays a string


MEDIA_URL = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME{}"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # Only the first NumMedia MediaUrl{N} count; none without NumMedia.
        (
            {"NumMedia": "1", "MediaUrl0": MEDIA_URL.format(0), "MediaContentType0": " image/png "},
            [(MEDIA_URL.format(0), "image/png")],
        ),
        ({"MediaUrl0": MEDIA_URL.format(0), "MediaContentType0": "image/png"}, []),
        ({"NumMedia": "0", "MediaUrl0": MEDIA_URL.format(0)}, []),
        ({"NumMedia": "-3", "MediaUrl0": MEDIA_URL.format(0)}, []),
        # A blank or missing URL is skipped; a missing type is empty.
        (
            {"NumMedia": "3", "MediaUrl0": "  ", "MediaUrl2": MEDIA_URL.format(2)},
            [(MEDIA_URL.format(2), "")],
        ),
    ],
    ids=["one", "no-count", "zero", "negative", "blank-and-missing"],
)
def test_inbound_media_are_read_from_num_media_and_each_url(fields, expected):
    params = {**payload("twilio_inbound_sms.json"), **fields}
    [inbound] = provider().parse_inbound(twilio_post(INBOUND_URL, params))
    assert [(m.url, m.content_type) for m in inbound.media] == expected


def test_a_message_sid_of_another_shape_says_what_a_sid_looks_like():
    params = {**payload("twilio_inbound_sms.json"), "MessageSid": "SM123"}
    with pytest.raises(WebhookRejected) as excinfo:
        provider().parse_inbound(twilio_post(INBOUND_URL, params))
    assert (excinfo.value.status, excinfo.value.reason) == (
        400,
        "MessageSid is not a Twilio message SID (SM or MM + 32 hex).",
    )
