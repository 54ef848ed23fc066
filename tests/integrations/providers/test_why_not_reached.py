"""Why a provider could not be reached, in the words the card and the timeline show."""

import pytest
import requests
import urllib3

from integrations.providers.base import _why_not_reached


def _max_retry(reason):
    return urllib3.exceptions.MaxRetryError(None, "https://api.twilio.com/", reason)


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (
            urllib3.exceptions.NameResolutionError("api.twilio.com", None, OSError("no name")),
            "its host name could not be resolved",
        ),
        (urllib3.exceptions.NewConnectionError(None, "refused"), "the connection was refused"),
        (urllib3.exceptions.ConnectTimeoutError(), "connecting timed out"),
        (requests.ConnectTimeout(), "connecting timed out"),
        (urllib3.exceptions.SSLError("bad certificate"), "the secure connection failed"),
        (requests.exceptions.SSLError("bad certificate"), "the secure connection failed"),
        (OSError("something else"), "the connection failed"),
        # Wrapped, as urllib3 and requests hand them over: the cause inside decides.
        (_max_retry(urllib3.exceptions.ConnectTimeoutError()), "connecting timed out"),
        (
            requests.ConnectionError(_max_retry(urllib3.exceptions.NewConnectionError(None, "x"))),
            "the connection was refused",
        ),
        (_max_retry(None), "the connection failed"),
    ],
)
def test_each_failure_to_connect_has_its_own_words(exc, words):
    assert _why_not_reached(exc) == words
