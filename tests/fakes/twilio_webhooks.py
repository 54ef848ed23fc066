"""What Twilio POSTs to our inbound-message webhook, for tests and the benchmark.

The field set follows PROTOCOLS.md: the three message-id aliases, account, numbers, body, media
and segment counts, status, API version, and the geographic fields Twilio sends empty.
"""

from twilio.request_validator import RequestValidator

from tests.fakes.provider_server import TWILIO_SID, TWILIO_TOKEN


def inbound_params(
    message_sid: str, *, sender: str, to: str, body: str, account_sid: str = TWILIO_SID
) -> dict[str, str]:
    return {
        "MessageSid": message_sid,
        "SmsSid": message_sid,
        "SmsMessageSid": message_sid,
        "AccountSid": account_sid,
        "From": sender,
        "To": to,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
        "FromCity": "",
        "FromState": "",
        "ToZip": "",
    }


def signature(url: str, params: dict[str, str], token: str = TWILIO_TOKEN) -> str:
    """X-Twilio-Signature for `params` posted to `url`, computed by the twilio library."""
    return RequestValidator(token).compute_signature(url, params)
