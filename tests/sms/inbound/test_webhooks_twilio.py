"""Twilio webhooks: the shared cases, signed with the twilio library's RequestValidator, plus
what only Twilio does (TwiML answers, OptOutType, error 21610 in a status callback)."""

import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from twilio.request_validator import RequestValidator

from sms.models import Message, OptOut
from tests.fakes.fixtures import TWILIO_SID, TWILIO_TOKEN
from tests.fakes.twilio_webhooks import inbound_params
from tests.helpers.providers import CANDIDATE_PHONE, TWILIO_FROM
from tests.helpers.webhooks import processed
from tests.sms.inbound.webhook_cases import WebhookCases

EMPTY_TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response />'


def signed_post(client, path: str, fields: dict, *, auth: str = "valid", token=TWILIO_TOKEN):
    """POST form fields as Twilio does, signed for the public URL (not the test host)."""
    headers = {}
    if auth != "missing":
        signing_token = token if auth == "valid" else "not-the-auth-token"
        url = settings.PUBLIC_BASE_URL + path
        signature = RequestValidator(signing_token).compute_signature(url, fields)
        headers["X-Twilio-Signature"] = signature
    with processed():
        return client.post(
            path,
            data=urlencode(fields, doseq=True),
            content_type="application/x-www-form-urlencoded",
            headers=headers,
        )


class TestTwilioWebhooks(WebhookCases):
    provider_kind = "twilio"

    def new_message_id(self):
        return "SM" + secrets.token_hex(16)

    def inbound_fields(self, message_id, sender, body):
        return inbound_params(message_id, sender=sender, to=TWILIO_FROM, body=body)

    def status_fields(self, message_id, status, error_code=""):
        fields = {
            "MessageSid": message_id,
            "SmsSid": message_id,
            "MessageStatus": status,
            "SmsStatus": status,
            "AccountSid": TWILIO_SID,
            "From": TWILIO_FROM,
            "To": CANDIDATE_PHONE,
            "ApiVersion": "2010-04-01",
        }
        if error_code:
            fields["ErrorCode"] = error_code
        return fields

    def post_inbound(self, client, fields, *, auth="valid"):
        return signed_post(client, reverse("sms:twilio_inbound"), fields, auth=auth)

    def post_status(self, client, fields, *, reference="", auth="valid"):
        path = reverse("sms:twilio_status")
        if reference:
            path += f"?message={reference}"
        return signed_post(client, path, fields, auth=auth)

    def malformed_inbound(self, client):
        # Correctly signed, but without the fields every Twilio message has.
        fields = {"Body": "where is the rest", "AccountSid": TWILIO_SID}
        return signed_post(client, reverse("sms:twilio_inbound"), fields)

    def request_with_method(self, client, method, which):
        name = "sms:twilio_inbound" if which == "inbound" else "sms:twilio_status"
        return getattr(client, method)(reverse(name))

    def assert_inbound_accepted(self, response):
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/xml")
        assert response.content == EMPTY_TWIML

    def assert_status_accepted(self, response):
        assert response.status_code == 204

    # --- Twilio only ---------------------------------------------------------------------------

    def test_a_signature_for_another_url_is_rejected(self, client):
        fields = self.inbound_fields(self.new_message_id(), CANDIDATE_PHONE, "Hi")
        path = reverse("sms:twilio_inbound")
        # Signed for the URL Django sees behind a TLS proxy (http, test host): not what Twilio
        # called, so not authentic.
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(
            "http://testserver" + path, fields
        )
        response = client.post(
            path,
            data=urlencode(fields),
            content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": signature},
        )
        assert response.status_code == 403
        assert not Message.objects.exists()

    def test_a_tampered_parameter_breaks_the_signature(self, client):
        fields = self.inbound_fields(self.new_message_id(), CANDIDATE_PHONE, "Hi")
        path = reverse("sms:twilio_inbound")
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(
            settings.PUBLIC_BASE_URL + path, fields
        )
        fields["Body"] = "Hi, please text my friend too"
        response = client.post(
            path,
            data=urlencode(fields),
            content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": signature},
        )
        assert response.status_code == 403

    def test_optouttype_stop_records_an_opt_out(self, client, candidate):
        fields = self.inbound_fields(self.new_message_id(), CANDIDATE_PHONE, "Stop please")
        fields["OptOutType"] = "STOP"
        self.assert_inbound_accepted(self.post_inbound(client, fields))
        assert OptOut.objects.get(phone_number=CANDIDATE_PHONE).opted_out is True

    def test_a_failed_status_with_21610_records_an_opt_out(self, client, sent_message):
        fields = self.status_fields(sent_message.provider_message_id, "failed", "21610")
        self.post_status(client, fields, reference=str(sent_message.pk))
        opt_out = OptOut.objects.get(phone_number=CANDIDATE_PHONE)
        assert (opt_out.opted_out, opt_out.source) == (True, OptOut.Source.PROVIDER)
