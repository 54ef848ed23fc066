"""What a failed or undelivered SMS's error code means, in plain words, and what to do about it
(shown under the message instead of "Twilio error 30003"). One table per provider, attached to
its adapter as `failure_advice`; sources: Twilio's error dictionary and ClickSend's message
status codes (docs/provider-wire-facts.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FailureAdvice:
    reason: str  # what happened, in the recruiter's words
    action: str  # what to do about it


_SENDER = (
    "Check the Phone Number on Administration → Integrations (Check now): it must be an "
    "SMS-capable number on this account, allowed to text that country."
)

TWILIO: dict[str, FailureAdvice] = {
    "20003": FailureAdvice(
        "Twilio refused Nextal's credentials.",
        "An administrator re-enters the Auth Token on Administration → Integrations.",
    ),
    "21211": FailureAdvice(
        "The phone number is not a valid number.",
        "Correct the candidate's phone number (with its country code), then retry.",
    ),
    "21408": FailureAdvice(
        "Texting that country is not enabled on the Twilio account.",
        "Enable it in the Twilio Console under Messaging → Settings → Geo permissions.",
    ),
    "21610": FailureAdvice(
        "The candidate opted out (replied STOP).",
        "Do not text them again; only a START reply from their phone lifts the opt-out.",
    ),
    "21612": FailureAdvice("This number cannot be reached from the sender number.", _SENDER),
    "21614": FailureAdvice(
        "The number cannot receive SMS (it is not a mobile number).",
        "Ask the candidate for a mobile number, or call them.",
    ),
    "21635": FailureAdvice(
        "The number is a landline.", "Ask the candidate for a mobile number, or call them."
    ),
    "21606": FailureAdvice("The sender number cannot send from this Twilio account.", _SENDER),
    "21659": FailureAdvice("The sender is not a Twilio number for that country.", _SENDER),
    "21660": FailureAdvice("The sender number belongs to another Twilio account.", _SENDER),
    "21661": FailureAdvice("The sender number cannot send SMS.", _SENDER),
    "21703": FailureAdvice(
        "The Messaging Service has no sender for that destination.",
        "Add a number for that country to the Messaging Service's sender pool.",
    ),
    "30003": FailureAdvice(
        "The candidate's phone was unreachable (switched off or out of coverage).",
        "Often temporary: retry later, or call them.",
    ),
    "30005": FailureAdvice(
        "The carrier does not know the number (it may no longer exist).",
        "Check the number with the candidate by email or phone.",
    ),
    "30006": FailureAdvice(
        "The number is a landline or its carrier cannot receive SMS.",
        "Ask the candidate for a mobile number, or call them.",
    ),
    "30007": FailureAdvice(
        "The carrier filtered the message as spam.",
        "Avoid link shorteners and all-caps; in the US, register the number for A2P 10DLC in "
        "the Twilio Console (Messaging → Regulatory compliance).",
    ),
    "30008": FailureAdvice(
        "The carrier reported an unknown error.",
        "Retry later; if it keeps failing, give Twilio support the message's SID.",
    ),
}

CLICKSEND: dict[str, FailureAdvice] = {
    "INVALID_RECIPIENT": TWILIO["21211"],
    "COUNTRY_NOT_ENABLED": FailureAdvice(
        "Texting that country is not enabled on the ClickSend account.",
        "Enable the country in the ClickSend dashboard (Account → Settings), or ask ClickSend.",
    ),
    "INVALID_SENDER_ID": FailureAdvice("ClickSend does not allow this sender.", _SENDER),
    "INSUFFICIENT_CREDIT": FailureAdvice(
        "The ClickSend account has run out of credit.",
        "An administrator tops up the ClickSend account, then retry.",
    ),
    "ACCOUNT_NOT_ACTIVATED": FailureAdvice(
        "The ClickSend account is not activated yet.", "Finish ClickSend's account activation."
    ),
    "INVALID_CREDENTIALS": FailureAdvice(
        "ClickSend refused Nextal's credentials.",
        "An administrator re-enters the API Key on Administration → Integrations.",
    ),
    "alpha_sender_region": FailureAdvice(
        "A sender ID cannot text US or Canadian numbers.",
        "Set a ClickSend dedicated number as the Phone Number to text them.",
    ),
}
