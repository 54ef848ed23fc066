"""What makes a stored webhook event a duplicate (`event_id`), and what storing keeps: the
key decides whether a provider's retry becomes a second message, so each part of it is pinned
here, with the raw body as received and the ids handed to processing."""

import hashlib
import json

import pytest

from integrations.providers.base import DeliveryStatus, InboundMedia, InboundSms, StatusEvent
from sms.inbound import events
from sms.inbound.events import event_id, from_payload, store_events, to_payload
from sms.models import ProviderEvent


def inbound(sid, body="Hello", media=()):
    return InboundSms(sid, "+12025550123", "+15005550006", body, None, None, {"Body": body}, media)


def status(sid, word=DeliveryStatus.DELIVERED, reference=""):
    return StatusEvent(sid, word, "", "", None, {}, reference)


def key(event):
    return event_id(event, to_payload(event))


def test_an_inbound_message_is_keyed_by_its_id_trimmed_and_cut_to_the_column():
    assert key(inbound("  SMabc  ")) == "SMabc"
    assert key(inbound("S" * 70)) == "S" * 64


def test_a_status_is_keyed_by_its_message_id_and_its_word():
    assert key(status("SMabc")) == "SMabc:delivered"
    assert key(status("S" * 70)) == "S" * 64 + ":delivered"


def test_a_status_without_an_id_is_keyed_by_our_reference_cut_to_forty():
    assert key(status("", reference="42")) == "ref:42:delivered"
    assert key(status("", reference="4" * 50)) == f"ref:{'4' * 40}:delivered"


def test_a_status_word_is_cut_to_twenty_characters():
    assert key(status("SMabc", word="x" * 30)) == "SMabc:" + "x" * 20


def test_an_event_without_an_id_or_reference_is_keyed_by_its_content_in_any_key_order():
    event = inbound("", body="no id")
    payload = to_payload(event)
    expected = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    assert event_id(event, payload) == f"sha256:{expected}"
    reordered = dict(reversed(list(payload.items())))
    assert event_id(event, reordered) == f"sha256:{expected}"
    assert key(status("")).startswith("sha256:")


def test_an_mms_keeps_its_files_through_the_stored_payload():
    media = (InboundMedia(url="https://example.com/1.jpg", content_type="image/jpeg"),)
    event = inbound("SMmms", body="", media=media)
    payload = to_payload(event)
    assert payload["media"] == [{"url": "https://example.com/1.jpg", "content_type": "image/jpeg"}]
    assert from_payload("inbound", payload) == event


def test_a_stored_payload_with_a_field_this_version_does_not_know_still_reads():
    payload = {**to_payload(inbound("SMnew")), "added_later": 1}
    assert from_payload("inbound", payload) == inbound("SMnew")


@pytest.mark.django_db
def test_the_raw_body_is_kept_as_text_whatever_its_bytes():
    (new_id,) = store_events("twilio", b"Body=caf\xe9\x00!", [inbound("SMraw")])
    assert ProviderEvent.objects.get(pk=new_id).body == "Body=caf\ufffd\ufffd!"


@pytest.mark.django_db
def test_each_new_event_is_handed_to_processing_after_commit_and_duplicates_are_logged(
    monkeypatch, django_capture_on_commit_callbacks, caplog
):
    published = []
    monkeypatch.setattr(events, "publish_processing", published.append)
    with django_capture_on_commit_callbacks(execute=True):
        new_ids = store_events("twilio", b"", [inbound("SM1"), inbound("SM2")])
    assert published == [new_ids] and len(new_ids) == 2
    with (
        caplog.at_level("INFO", logger="sms.inbound.events"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert store_events("twilio", b"", [inbound("SM1")]) == []
    assert published == [new_ids]  # nothing new, nothing to process
    assert "1 duplicate twilio webhook event(s) ignored" in caplog.messages
