"""Webhook security and idempotency cases shared by every provider (like django-anymail's).

A provider's test module subclasses `WebhookCases` and supplies only how to call its endpoints:
authentic and tampered requests, an inbound payload, a status payload. Every case then runs for
that provider: bad or missing signature/token, wrong method, malformed body, duplicates, statuses
out of order or for unknown messages, replies for a deactivated provider, and fuzzed input.
"""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integrations.models import Integration
from sms.models import Message, MessageStatus, Thread
from sms.outbox.queueing import queue_message
from tests.helpers.providers import CANDIDATE_PHONE, configure


class WebhookCases:
    provider_kind: str

    # --- what each provider supplies --------------------------------------------------------

    def new_message_id(self) -> str:
        raise NotImplementedError

    def post_inbound(self, client, fields: dict, *, auth: str = "valid"):
        """POST an inbound message. auth: "valid", "missing" or "wrong"."""
        raise NotImplementedError

    def post_status(self, client, fields: dict, *, reference: str = "", auth: str = "valid"):
        raise NotImplementedError

    def inbound_fields(self, message_id: str, sender: str, body: str) -> dict:
        raise NotImplementedError

    def status_fields(self, message_id: str, status: str, error_code: str = "") -> dict:
        """A status event; `status` is one of "sent", "delivered", "failed"."""
        raise NotImplementedError

    def malformed_inbound(self, client):
        """POST an authentic request whose body cannot be understood."""
        raise NotImplementedError

    def request_with_method(self, client, method: str, which: str):
        raise NotImplementedError

    rejected_status = {"missing": 403, "wrong": 403}

    def assert_inbound_accepted(self, response):
        assert response.status_code == 200

    def assert_status_accepted(self, response):
        assert response.status_code in (200, 204)

    # --- fixtures -------------------------------------------------------------------------------

    @pytest.fixture(autouse=True)
    def _provider(self, db, fake_provider):
        self.integration = configure(self.provider_kind)

    @pytest.fixture
    def sent_message(self, candidate, recruiter, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            message = queue_message(candidate, "Interview on Monday?", sent_by=recruiter)
        message.refresh_from_db()
        assert message.status == MessageStatus.SENT
        return message

    # --- inbound ----------------------------------------------------------------------------

    def test_an_authentic_reply_is_stored_in_the_candidates_thread(self, client, candidate):
        message_id = self.new_message_id()
        fields = self.inbound_fields(message_id, CANDIDATE_PHONE, "Yes, Monday works")
        response = self.post_inbound(client, fields)
        self.assert_inbound_accepted(response)
        message = Message.objects.get(provider_message_id=message_id)
        assert message.provider == self.provider_kind
        assert message.direction == "inbound"
        assert message.status == MessageStatus.RECEIVED
        assert message.body == "Yes, Monday works"
        assert message.thread.candidate == candidate
        assert message.raw  # the provider's payload is kept
        thread = Thread.objects.get(candidate=candidate)
        assert (thread.unread_count, thread.last_message_direction) == (1, "inbound")

    @pytest.mark.parametrize("auth", ["missing", "wrong"])
    def test_an_unauthentic_request_is_rejected_and_nothing_stored(self, client, candidate, auth):
        fields = self.inbound_fields(self.new_message_id(), CANDIDATE_PHONE, "Hi")
        response = self.post_inbound(client, fields, auth=auth)
        assert response.status_code == self.rejected_status[auth]
        assert not Message.objects.exists()

    @pytest.mark.parametrize("auth", ["missing", "wrong"])
    def test_an_unauthentic_status_changes_nothing(self, client, sent_message, auth):
        fields = self.status_fields(sent_message.provider_message_id, "failed", "30003")
        response = self.post_status(client, fields, reference=str(sent_message.pk), auth=auth)
        assert response.status_code == self.rejected_status[auth]
        sent_message.refresh_from_db()
        assert sent_message.status == MessageStatus.SENT

    @pytest.mark.parametrize("method", ["get", "put", "delete"])
    @pytest.mark.parametrize("which", ["inbound", "status"])
    def test_only_post_is_allowed(self, client, method, which):
        response = self.request_with_method(client, method, which)
        assert response.status_code == 405

    def test_a_malformed_body_answers_400_and_stores_nothing(self, client):
        response = self.malformed_inbound(client)
        assert response.status_code == 400
        assert not Message.objects.exists()

    def test_the_same_message_posted_twice_is_stored_once(self, client, candidate):
        fields = self.inbound_fields(self.new_message_id(), CANDIDATE_PHONE, "Hello again")
        first = self.post_inbound(client, fields)
        second = self.post_inbound(client, fields)
        self.assert_inbound_accepted(first)
        self.assert_inbound_accepted(second)
        assert Message.objects.count() == 1
        assert Thread.objects.get(candidate=candidate).unread_count == 1

    def test_without_the_providers_settings_row_a_webhook_is_404_and_stores_nothing(
        self, client, candidate
    ):
        fields = self.inbound_fields(self.new_message_id(), CANDIDATE_PHONE, "Hello?")
        response = self.post_inbound(client, fields)  # signed while the row still existed
        self.assert_inbound_accepted(response)
        Message.objects.all().delete()
        Integration.objects.filter(kind=self.provider_kind).delete()

        response = self.post_inbound(client, fields)  # the same authentic request
        assert response.status_code == 404
        assert not Message.objects.exists()

    def test_a_reply_for_a_deactivated_provider_is_still_kept(self, client, candidate):
        Integration.objects.filter(kind=self.provider_kind).update(is_active=False)
        fields = self.inbound_fields(self.new_message_id(), CANDIDATE_PHONE, "Still there?")
        self.assert_inbound_accepted(self.post_inbound(client, fields))
        assert Message.objects.get().body == "Still there?"

    def test_a_reply_from_an_unknown_number_gets_an_unknown_sender_thread(self, client):
        fields = self.inbound_fields(self.new_message_id(), "+61433333333", "Who is this?")
        self.assert_inbound_accepted(self.post_inbound(client, fields))
        thread = Message.objects.get().thread
        assert thread.candidate is None
        assert thread.phone_number == "+61433333333"

    # --- statuses ---------------------------------------------------------------------------

    def test_a_delivery_status_moves_the_message_forward(self, client, sent_message):
        fields = self.status_fields(sent_message.provider_message_id, "delivered")
        changed_before = Thread.objects.get(pk=sent_message.thread_id).changed_at
        self.assert_status_accepted(
            self.post_status(client, fields, reference=str(sent_message.pk))
        )
        sent_message.refresh_from_db()
        assert sent_message.status == MessageStatus.DELIVERED
        assert sent_message.delivered_at is not None
        assert Thread.objects.get(pk=sent_message.thread_id).changed_at > changed_before

    def test_a_late_sent_never_overwrites_delivered(self, client, sent_message):
        reference = str(sent_message.pk)
        message_id = sent_message.provider_message_id
        for status in ("delivered", "sent", "sent"):
            response = self.post_status(
                client, self.status_fields(message_id, status), reference=reference
            )
            self.assert_status_accepted(response)
        sent_message.refresh_from_db()
        assert sent_message.status == MessageStatus.DELIVERED

    def test_a_failure_status_records_the_error(self, client, sent_message):
        fields = self.status_fields(sent_message.provider_message_id, "failed", "30003")
        self.post_status(client, fields, reference=str(sent_message.pk))
        sent_message.refresh_from_db()
        assert sent_message.status == MessageStatus.FAILED
        assert sent_message.error_code == "30003"
        assert sent_message.error_message

    def test_a_status_for_an_unknown_message_is_ignored_with_success(self, client, sent_message):
        fields = self.status_fields(self.new_message_id(), "failed", "30003")
        self.assert_status_accepted(self.post_status(client, fields))
        sent_message.refresh_from_db()
        assert sent_message.status == MessageStatus.SENT

    def test_a_status_that_beats_the_send_result_matches_our_reference(
        self, client, candidate, recruiter, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False):
            message = queue_message(candidate, "Racing", sent_by=recruiter)
        Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENDING)
        message_id = self.new_message_id()
        fields = self.status_fields(message_id, "delivered")
        self.assert_status_accepted(self.post_status(client, fields, reference=str(message.pk)))
        message.refresh_from_db()
        assert message.status == MessageStatus.DELIVERED
        assert message.provider_message_id == message_id

    # --- never a 500 ------------------------------------------------------------------------

    @pytest.mark.fuzz
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            # The same case runs once per provider subclass, by design.
            HealthCheck.differing_executors,
        ],
    )
    @given(
        fields=st.dictionaries(
            st.sampled_from(
                [
                    "MessageSid",
                    "From",
                    "To",
                    "Body",
                    "OptOutType",
                    "MessageStatus",
                    "ErrorCode",
                    "message_id",
                    "from",
                    "to",
                    "body",
                    "timestamp",
                    "status_code",
                    "custom_string",
                    "x",
                ]
            ),
            st.text(max_size=40),
            max_size=8,
        ),
        which=st.sampled_from(["inbound", "status"]),
    )
    def test_authentic_garbage_never_causes_a_500(self, client, fields, which):
        post = self.post_inbound if which == "inbound" else self.post_status
        response = post(client, fields)
        # 403: a Twilio body that names no account (or another) is not for this integration.
        assert response.status_code in (200, 204, 400, 403), response.content

    # --- the positive side: authentic, well-formed requests are always accepted -----------------

    @pytest.mark.fuzz
    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.differing_executors,
        ],
    )
    @given(
        # Any text a candidate can type (emoji, accents, RTL, newlines; no lone surrogates),
        # including nothing at all (a media-only message).
        body=st.text(st.characters(exclude_categories=("Cs",)), max_size=300),
        sender=st.sampled_from([CANDIDATE_PHONE, "+61422222222", "+14155550123", "12345"]),
        extra=st.dictionaries(
            st.from_regex(r"\A[A-Z][a-zA-Z]{2,12}\Z"), st.text(max_size=20), max_size=4
        ),
    )
    def test_an_authentic_well_formed_reply_is_always_accepted_and_stored(
        self, client, body, sender, extra
    ):
        message_id = self.new_message_id()
        fields = {**extra, **self.inbound_fields(message_id, sender, body)}
        response = self.post_inbound(client, fields)
        self.assert_inbound_accepted(response)
        stored = Message.objects.get(provider=self.provider_kind, provider_message_id=message_id)
        # Kept as sent, but for NUL characters (no database column takes them) and, for
        # ClickSend, surrounding white space.
        assert stored.body.strip() == body.replace("\x00", "").strip()

    @pytest.mark.fuzz
    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.differing_executors,
        ],
    )
    @given(status=st.sampled_from(["sent", "delivered", "failed"]), data=st.data())
    def test_an_authentic_well_formed_status_is_always_accepted(
        self, client, candidate, recruiter, django_capture_on_commit_callbacks, status, data
    ):
        with django_capture_on_commit_callbacks(execute=True):
            message = queue_message(candidate, "Interview on Monday?", sent_by=recruiter)
        message.refresh_from_db()
        code = data.draw(st.sampled_from(["", "30003", "30007"])) if status == "failed" else ""
        fields = self.status_fields(message.provider_message_id, status, code)
        response = self.post_status(client, fields, reference=str(message.pk))
        self.assert_status_accepted(response)
        message.refresh_from_db()
        assert message.status == status


def unique_id(prefix: str = "") -> str:
    return prefix + uuid.uuid4().hex
