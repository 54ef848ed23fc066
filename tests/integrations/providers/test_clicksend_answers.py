"""Reading ClickSend's answer to a send, called directly: what is accepted, what is a refusal in
ClickSend's own words, and what leaves the outcome unknown (the request reached ClickSend)."""

import pytest

from integrations.providers.base import ErrorKind, ProviderCredentials, ProviderError, shown_url
from integrations.providers.clicksend import ClickSendProvider

UNREADABLE = "ClickSend accepted the request but {}; the message may have been sent."


def provider() -> ClickSendProvider:
    return ClickSendProvider(ProviderCredentials("nextal", "a-secret-key", "+61400000000"))


def read(payload):
    return provider()._result_from(payload)


def refusal(payload) -> ProviderError:
    with pytest.raises(ProviderError) as error:
        read(payload)
    return error.value


def test_an_accepted_message_gives_its_id_and_parts():
    answer = {
        "data": {"messages": [{"status": "SUCCESS", "message_id": "M-1", "message_parts": 2}]}
    }
    result = read(answer)
    assert (result.provider_message_id, result.segments, result.raw) == ("M-1", 2, answer)


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        ("<html>", "its answer was not JSON"),
        ({"data": [{"status": "SUCCESS"}]}, "its answer lists no message"),
        ({"data": {"messages": []}}, "its answer lists no message"),
        ({"data": {"messages": [{"status": "SUCCESS"}]}}, "its answer has no message id"),
    ],
)
def test_an_answer_that_says_nothing_readable_is_outcome_unknown(payload, why):
    error = refusal(payload)
    assert str(error) == UNREADABLE.format(why)
    assert (error.kind, error.code) == (ErrorKind.AMBIGUOUS, "unreadable_response")


def test_a_message_without_a_status_is_refused_and_says_so():
    error = refusal({"data": {"messages": [{"message_id": "M-2"}]}})
    assert str(error) == "ClickSend did not accept the message (ClickSend no status)"
    assert (error.kind, error.code) == (ErrorKind.PERMANENT, "")


def test_clicksends_own_words_keep_their_last_letters():
    error = provider()._http_error(400, {}, {"response_code": "BAD", "response_msg": "Use MAX."})
    assert str(error) == "ClickSend rejected the message: Use MAX (ClickSend BAD)"


def test_a_webhook_url_with_a_password_but_no_host_shows_neither():
    assert shown_url("https://user:secret@/hook?x=1") == "https://…@/hook?x=1"
