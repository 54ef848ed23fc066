"""Retry-After, in both of its forms (RFC 9110 §10.2.3): seconds, or an HTTP date."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from integrations.providers.base import parse_retry_after

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("12", 12.0),
        ("0.5", 0.5),
        ("0", 0.0),
        ("-3", 0.0),  # never negative
        (format_datetime(NOW + timedelta(seconds=90), usegmt=True), 90.0),
        ("Tue, 01 Dec 2026 12:02:00", 120.0),  # a date without a zone is GMT
        (format_datetime(NOW - timedelta(minutes=5), usegmt=True), 0.0),  # already past
        ("", None),
        (None, None),
        ("soon", None),
    ],
)
def test_retry_after_reads_seconds_or_a_date(value, seconds, time_machine):
    time_machine.move_to(NOW, tick=False)
    assert parse_retry_after(value) == seconds
