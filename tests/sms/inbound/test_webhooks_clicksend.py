"""ClickSend webhooks: the shared cases with the secret path token, for JSON and form bodies,
plus ClickSend's loose types (numbers as strings and the other way round)."""

import json
import uuid
from urllib.parse import urlencode

from django.urls import reverse

from integrations.models import Integration
from sms.models import Message, MessageStatus
from tests.helpers.providers import CANDIDATE_PHONE, CLICKSEND_FROM
from tests.sms.inbound.webhook_cases import WebhookCases

RECEIPT_CODES = {"sent": "200", "delivered": "201", "failed": "301"}


class ClickSendCases(WebhookCases):
    provider_kind = "clicksend"
    body_format = "json"
    rejected_status = {"missing": 404, "wrong": 404}

    def new_message_id(self):
        return str(uuid.uuid4()).upper()

    def _token(self, auth):
        token = self.integration.webhook_token  # as configured for this test
        return {"valid": token, "wrong": token[:-2] + "xx", "missing": " "}[auth]

    def _post(self, client, name, fields, auth, query=""):
        path = reverse(name, kwargs={"token": self._token(auth)}) + query
        if self.body_format == "json":
            return client.post(path, data=json.dumps(fields), content_type="application/json")
        return client.post(
            path, data=urlencode(fields), content_type="application/x-www-form-urlencoded"
        )

    def inbound_fields(self, message_id, sender, body):
        return {
            "from": sender,
            "to": CLICKSEND_FROM,
            "body": body,
            "timestamp": 1775012927 if self.body_format == "json" else "1775012927",
            "message_id": message_id,
            "original_message_id": str(uuid.uuid4()).upper(),
            "original_body": "Interview on Monday?",
            "user_id": 304497,
            "subaccount_id": 745158,
            "custom_string": "",
        }

    def status_fields(self, message_id, status, error_code=""):
        return {
            "message_id": message_id,
            "status_code": RECEIPT_CODES[status],
            "status_text": status.title(),
            "error_code": error_code,
            "error_text": "Carrier rejected" if error_code else "",
            "timestamp": "1775013000",
            "timestamp_send": "1775012990",
            "message_type": "sms",
        }

    def post_inbound(self, client, fields, *, auth="valid"):
        return self._post(client, "sms:clicksend_inbound", fields, auth)

    def post_status(self, client, fields, *, reference="", auth="valid"):
        if reference:
            fields = {**fields, "custom_string": reference}
        return self._post(client, "sms:clicksend_receipts", fields, auth)

    def malformed_inbound(self, client):
        path = reverse("sms:clicksend_inbound", kwargs={"token": self._token("valid")})
        return client.post(path, data=b'{"from": "+614', content_type="application/json")

    def request_with_method(self, client, method, which):
        name = "sms:clicksend_inbound" if which == "inbound" else "sms:clicksend_receipts"
        return getattr(client, method)(reverse(name, kwargs={"token": self._token("valid")}))

    def assert_status_accepted(self, response):
        assert response.status_code == 200


class TestClickSendJsonWebhooks(ClickSendCases):
    body_format = "json"

    def test_numbers_sent_as_numbers_are_accepted(self, client, sent_message):
        fields = self.status_fields(sent_message.provider_message_id, "delivered")
        fields["status_code"] = 201
        fields["timestamp"] = 1775013000
        self.post_status(client, fields)
        sent_message.refresh_from_db()
        assert sent_message.status == MessageStatus.DELIVERED

    def test_a_temporary_failure_is_not_final_and_changes_nothing(self, client, sent_message):
        fields = self.status_fields(sent_message.provider_message_id, "sent")
        fields["status_code"] = "300"
        self.assert_status_accepted(self.post_status(client, fields))
        sent_message.refresh_from_db()
        assert sent_message.status == MessageStatus.SENT

    def test_a_rotated_token_invalidates_the_old_url(self, client, candidate):
        old_fields = self.inbound_fields(self.new_message_id(), CANDIDATE_PHONE, "Hi")
        old_path = reverse("sms:clicksend_inbound", kwargs={"token": self._token("valid")})
        Integration.objects.filter(kind="clicksend").update(webhook_token="rotated-token-123")
        response = client.post(
            old_path, data=json.dumps(old_fields), content_type="application/json"
        )
        assert response.status_code == 404
        assert not Message.objects.exists()


class TestClickSendFormWebhooks(ClickSendCases):
    body_format = "form"


def test_a_clicksend_media_reference_is_kept_as_a_link_and_never_fetched(
    client, active_clicksend, fake_provider, candidate, django_capture_on_commit_callbacks
):
    integration = Integration.objects.get(kind="clicksend")
    media_url = f"{fake_provider.cdn_url}/_private/permit.jpg?X-Amz-Signature=abc"
    fields = {
        "from": CANDIDATE_PHONE,
        "to": CLICKSEND_FROM,
        "body": "",
        "message_id": str(uuid.uuid4()).upper(),
        "_media_file_url": media_url,
    }
    path = reverse("sms:clicksend_inbound", kwargs={"token": integration.webhook_token})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, data=json.dumps(fields), content_type="application/json")

    assert response.status_code == 200
    attachment = Message.objects.get(provider="clicksend").attachments.get()
    assert (attachment.status, attachment.source_url) == ("link", media_url)
    assert fake_provider.requests == []
