"""Delivery errors read as a plain reason and what to do, not "Twilio error 30003" (issue 11)."""

import pytest

from integrations.providers import provider_class
from tests.helpers.messages import add_message


@pytest.mark.parametrize(
    ("kind", "code", "reason", "action"),
    [
        ("twilio", "30003", "phone was unreachable", "retry later"),
        ("twilio", "30006", "landline", "mobile number"),
        ("twilio", "30007", "filtered the message as spam", "A2P 10DLC"),
        ("twilio", "21610", "opted out", "START"),
        ("twilio", "21211", "not a valid number", "Correct the candidate's phone number"),
        ("twilio", "21606", "sender number", "Administration → Integrations"),
        ("twilio", "21659", "sender", "Administration → Integrations"),
        ("twilio", "21660", "another Twilio account", "Administration → Integrations"),
        ("twilio", "21661", "cannot send SMS", "Administration → Integrations"),
        ("clicksend", "INSUFFICIENT_CREDIT", "out of credit", "tops up"),
        ("clicksend", "INVALID_RECIPIENT", "not a valid number", "Correct"),
    ],
)
def test_each_known_code_family_has_a_reason_and_what_to_do(kind, code, reason, action):
    advice = provider_class(kind).advice_for(code)
    assert reason in advice.reason
    assert action in advice.action


def test_an_unknown_code_has_no_advice():
    assert provider_class("twilio").advice_for("99999") is None
    assert provider_class("twilio").advice_for("") is None


def test_the_conversation_shows_the_reason_and_what_to_do(recruiter_client, candidate):
    add_message(
        candidate,
        "undelivered",
        body="Interview at 10?",
        provider="twilio",
        error_code="30003",
        error_message="Twilio error 30003",
    )
    add_message(
        candidate, "failed", body="Hello?", provider="twilio", error_code="", error_message="Boom"
    )
    html = recruiter_client.get(f"/candidates/{candidate.pk}/").content.decode()
    assert "Not delivered.</strong> The candidate&#x27;s phone was unreachable" in html
    assert "<strong>What to do:</strong> Often temporary: retry later, or call them." in html
    assert "(Twilio 30003)" in html
    assert "Twilio error 30003" not in html
    assert "Not sent.</strong> Boom" in html  # no code: the provider's words
