"""What the adapter tests feed the adapters: sanitized real payloads (payloads/), and the numbers,
webhook token and status callback the adapters are built and called with."""

import json
from pathlib import Path

PAYLOADS = Path(__file__).resolve().parent / "payloads"
SENDER = "+61400000000"
RECIPIENT = "+61411111111"
WEBHOOK_TOKEN = "ZXlvdS1jYW5ub3QtZ3Vlc3MtdGhpcy10b2tlbi0xMjM0"
STATUS_CALLBACK = "https://nextal.example.com/webhooks/twilio/status/?message=42"


def payload(name: str):
    """A sanitized real payload from payloads/ beside this module."""
    return json.loads((PAYLOADS / name).read_text())
