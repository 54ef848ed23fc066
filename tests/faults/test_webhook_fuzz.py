"""Fuzzed webhook requests (hypothesis): never a 500, and never a stored message or a changed
status without a valid Twilio signature or the ClickSend URL token.

tests/sms/inbound/webhook_cases.py already fuzzes *authentic* requests with a fixed set of field
names and checks one tampered parameter and one wrong URL. Here the forgeries are generated: random
form bodies with repeated keys, missing, garbage, wrong-key, wrong-URL and tampered signatures,
near-miss ClickSend tokens, odd content types, charsets and raw bytes, nested JSON and huge
numbers. A Twilio request counts as authentic only when Twilio's own scheme accepts its signature
for exactly what was posted; a ClickSend one only with the integration's path token.
"""

from __future__ import annotations

import base64
import json
import uuid
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from integrations.models import Integration
from sms.models import Message, MessageStatus
from sms.outbox.queueing import queue_message
from tests.factories import CandidateFactory
from tests.fakes.fixtures import TWILIO_SID, TWILIO_TOKEN
from tests.helpers.providers import CANDIDATE_PHONE, CLICKSEND_FROM, TWILIO_FROM, configure

pytestmark = pytest.mark.fuzz

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
REJECTED = {400, 403, 404}

# Text any client could post: every code point except lone surrogates (not encodable).
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=24)


@pytest.fixture
def sent_message(db, fake_provider, recruiter, django_capture_on_commit_callbacks):
    """An outbound message the fuzzed status webhooks could move (if they were believed)."""

    def _sent(kind: str) -> Message:
        configure(kind)
        candidate = CandidateFactory(phone=CANDIDATE_PHONE)
        with django_capture_on_commit_callbacks(execute=True):
            message = queue_message(candidate, "Interview on Monday?", sent_by=recruiter)
        message.refresh_from_db()
        assert message.status == MessageStatus.SENT
        return message

    return _sent


def snapshot() -> list[tuple]:
    """What an unauthentic request must not change: every message, its status and last write."""
    return list(Message.objects.order_by("pk").values_list("pk", "status", "updated_at"))


# --- Twilio: forged signatures ---------------------------------------------------------------

TWILIO_FIELD_NAMES = [
    "MessageSid",
    "SmsSid",
    "AccountSid",
    "From",
    "To",
    "Body",
    "OptOutType",
    "MessageStatus",
    "SmsStatus",
    "ErrorCode",
    "NumMedia",
    "RawDlrDoneDate",
]
STATUS_WORDS = ["delivered", "failed", "undelivered", "sent", "read", "canceled", ""]


@st.composite
def twilio_forms(draw, message_sid: str) -> list[tuple[str, str]]:
    """A plausible inbound/status form (would be acted on if believed) plus random pairs,
    possibly repeating keys. A list of pairs, because Twilio signs every value of a key."""
    sid = draw(st.sampled_from([message_sid, "SM" + uuid.uuid4().hex]))
    pairs = [
        ("MessageSid", sid),
        ("AccountSid", TWILIO_SID),
        ("From", draw(st.sampled_from([CANDIDATE_PHONE, "+61433333333", "12345"]))),
        ("To", TWILIO_FROM),
        ("Body", draw(st.one_of(st.sampled_from(["STOP", "Yes", "START"]), text))),
        ("MessageStatus", draw(st.sampled_from(STATUS_WORDS))),
    ]
    names = st.one_of(st.sampled_from(TWILIO_FIELD_NAMES), text.filter(bool))
    pairs += draw(st.lists(st.tuples(names, text), max_size=6))
    return draw(st.permutations(pairs))


def multi_value(pairs: list[tuple[str, str]]) -> MultiValueDict:
    params = MultiValueDict()
    for name, value in pairs:
        params.appendlist(name, value)
    return params


def twilio_signature(url: str, pairs: list[tuple[str, str]], token: str = TWILIO_TOKEN) -> str:
    """Twilio's scheme over every posted value (repeated keys too)."""
    return RequestValidator(token).compute_signature(url, multi_value(pairs))


def signed_by_twilio(url: str, pairs: list[tuple[str, str]], signature: str | None) -> bool:
    """Whether Twilio's own scheme accepts this signature for these pairs at this URL. Twilio
    signs sorted key+value strings with repeated values collapsed, so a few "tampered" forms
    are still authentic; this, not the forging step, decides."""
    if signature is None:
        return False
    return RequestValidator(TWILIO_TOKEN).validate(url, multi_value(pairs), signature)


@st.composite
def tampered(draw, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs after one change an attacker could make to a signed request."""
    change = draw(st.sampled_from(["replace", "add", "drop"]))
    pairs = list(pairs)
    if change == "add" or not pairs:
        name = draw(st.sampled_from(["Body", "From", "MessageStatus", "OptOutType", "x"]))
        return [*pairs, (name, draw(text))]
    index = draw(st.integers(0, len(pairs) - 1))
    if change == "drop":
        return pairs[:index] + pairs[index + 1 :]
    name, value = pairs[index]
    new_value = draw(text.filter(lambda v: v != value))
    return [*pairs[:index], (name, new_value), *pairs[index + 1 :]]


@st.composite
def twilio_requests(draw, path: str, message_sid: str):
    """(pairs to post, headers, authentic?) for a Twilio webhook at `path`."""
    pairs = draw(twilio_forms(message_sid))
    public_url = django_settings.PUBLIC_BASE_URL + path
    mode = draw(
        st.sampled_from(["valid", "missing", "garbage", "wrong-token", "other-url", "tampered"])
    )
    posted = pairs
    if mode == "valid":
        signature = twilio_signature(public_url, pairs)
    elif mode == "missing":
        signature = None
    elif mode == "garbage":
        signature = draw(
            st.one_of(
                text,
                st.binary(min_size=20, max_size=20).map(lambda raw: base64.b64encode(raw).decode()),
            )
        )
    elif mode == "wrong-token":
        token = draw(st.one_of(text, st.just(TWILIO_TOKEN.upper()), st.just("")))
        assume(token != TWILIO_TOKEN)
        signature = twilio_signature(public_url, pairs, token)
    elif mode == "other-url":
        url = draw(
            st.sampled_from(
                [
                    public_url.replace("https://", "http://", 1),
                    public_url.rstrip("/"),
                    public_url + "?x=1",
                    "http://testserver" + path,
                    django_settings.PUBLIC_BASE_URL + reverse("sms:twilio_status"),
                    django_settings.PUBLIC_BASE_URL + reverse("sms:twilio_inbound"),
                ]
            )
        )
        assume(url != public_url)
        signature = twilio_signature(url, pairs)
    else:
        posted = draw(tampered(pairs))
        signature = twilio_signature(public_url, pairs)
    headers = {} if signature is None else {"X-Twilio-Signature": signature}
    return posted, headers, signed_by_twilio(public_url, posted, signature)


FORM = "application/x-www-form-urlencoded"


@st.composite
def encoded_bodies(draw, pairs: list[tuple[str, str]]) -> tuple[bytes, str]:
    """(body, content type): the form as Twilio posts it, or in an odd type or encoding."""
    kind = draw(
        st.sampled_from(["form", "form-utf8", "form-latin1", "json", "text", "multipart", "bytes"])
    )
    if kind == "form":
        return urlencode(pairs).encode(), FORM
    if kind == "form-utf8":
        return urlencode(pairs).encode(), FORM + "; charset=utf-8"
    if kind == "form-latin1":
        body = urlencode(pairs, encoding="latin-1", errors="replace").encode()
        return body, FORM + "; charset=iso-8859-1"
    if kind == "json":
        return json.dumps(dict(pairs)).encode(), "application/json"
    if kind == "text":
        return urlencode(pairs).encode(), "text/plain"
    if kind == "multipart":
        return urlencode(pairs).encode(), "multipart/form-data; boundary=nextal"
    return draw(st.binary(max_size=200)), draw(st.sampled_from([FORM, ""]))


@pytest.mark.parametrize("endpoint", ["sms:twilio_inbound", "sms:twilio_status"])
def test_twilio_webhooks_store_nothing_without_a_valid_signature(client, sent_message, endpoint):
    message = sent_message("twilio")
    path = reverse(endpoint)
    if endpoint == "sms:twilio_status":
        path += f"?message={message.pk}"  # our reference, as in the StatusCallback URL

    @FUZZ
    @given(request=twilio_requests(path, message.provider_message_id), data=st.data())
    def check(request, data):
        pairs, headers, authentic = request
        body, content_type = data.draw(encoded_bodies(pairs))
        before = snapshot()
        response = client.generic("POST", path, body, content_type=content_type, headers=headers)
        assert response.status_code < 500
        if not authentic or not content_type.startswith(FORM):
            assert response.status_code in REJECTED, response.content
            assert snapshot() == before

    check()


def test_twilio_refuses_every_signature_while_no_auth_token_is_set(client, db, fake_provider):
    """Without a token there is nothing to check against: an empty key must not be accepted."""
    integration = configure("twilio")
    integration.secret = ""
    integration.save()
    path = reverse("sms:twilio_inbound")
    pairs = [
        ("MessageSid", "SM" + uuid.uuid4().hex),
        ("AccountSid", TWILIO_SID),
        ("From", CANDIDATE_PHONE),
        ("To", TWILIO_FROM),
        ("Body", "Hi"),
    ]
    for token in ("", TWILIO_TOKEN):
        signature = twilio_signature(django_settings.PUBLIC_BASE_URL + path, pairs, token)
        response = client.post(
            path,
            data=urlencode(pairs),
            content_type=FORM,
            headers={"X-Twilio-Signature": signature},
        )
        assert response.status_code == 403
    assert not Message.objects.exists()


# --- ClickSend: forged URL tokens ----------------------------------------------------------------


@st.composite
def near_miss_tokens(draw, token: str) -> str:
    """A token that is not the integration's: one edit away, re-cased, padded or random."""
    change = draw(
        st.sampled_from(
            ["flip", "truncate", "extend", "case", "pad", "prefix", "random", "twilio's"]
        )
    )
    if change == "flip":
        index = draw(st.integers(0, len(token) - 1))
        replacement = draw(st.characters(exclude_categories=("Cs",)).filter(lambda c: c != "/"))
        candidate = token[:index] + replacement + token[index + 1 :]
    elif change == "truncate":
        candidate = token[: draw(st.integers(1, len(token) - 1))]
    elif change == "extend":
        candidate = token + draw(text.filter(bool))
    elif change == "case":
        candidate = token.swapcase()
    elif change == "pad":
        candidate = draw(st.sampled_from([" ", "\t", "%20", "\u200b"])) + token
    elif change == "prefix":
        candidate = token[:8]
    elif change == "random":
        candidate = draw(text.filter(bool))
    else:
        candidate = Integration.objects.get(kind="twilio").webhook_token
    assume(candidate != token)
    return candidate


# Any floats, NaN and Infinity included: valid for Python's json, not for PostgreSQL's (see
# test_non_finite_json_numbers_are_not_a_500 below).
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(text, children, max_size=3),
    max_leaves=8,
)


@st.composite
def clicksend_payloads(draw, message: Message) -> dict:
    """A plausible inbound message or receipt (acted on if believed) with drifting types."""
    payload = {
        "message_id": draw(
            st.sampled_from([message.provider_message_id, str(uuid.uuid4()).upper()])
        ),
        "from": draw(st.sampled_from([CANDIDATE_PHONE, "61433333333"])),
        "to": CLICKSEND_FROM,
        "body": draw(st.one_of(st.sampled_from(["STOP", "Yes"]), text)),
        "timestamp": draw(st.one_of(st.integers(), text, st.floats())),
        "status_code": draw(st.sampled_from([201, "201", 301, "301", 200, "x"])),
        "custom_string": draw(st.sampled_from([str(message.pk), ""])),
    }
    extra = draw(st.dictionaries(text, json_values, max_size=4))
    return {**extra, **payload} if draw(st.booleans()) else {**payload, **extra}


@st.composite
def clicksend_bodies(draw, payload: dict) -> tuple[bytes, str]:
    kind = draw(st.sampled_from(["json", "json-list", "form", "text", "bytes"]))
    if kind == "json":
        return json.dumps(payload).encode(), "application/json"
    if kind == "json-list":
        return json.dumps([payload, payload]).encode(), "application/json"
    if kind == "form":
        flat = {k: v if isinstance(v, str) else json.dumps(v) for k, v in payload.items()}
        return urlencode(flat).encode(), FORM
    if kind == "text":
        return json.dumps(payload).encode(), "text/plain"
    return draw(st.binary(max_size=200)), draw(st.sampled_from(["application/json", FORM]))


@pytest.mark.parametrize("endpoint", ["inbound", "receipts"])
def test_clicksend_webhooks_store_nothing_without_the_url_token(client, sent_message, endpoint):
    message = sent_message("clicksend")
    token = Integration.objects.get(kind="clicksend").webhook_token

    @FUZZ
    @given(wrong_token=near_miss_tokens(token), payload=clicksend_payloads(message), data=st.data())
    def check(wrong_token, payload, data):
        body, content_type = data.draw(clicksend_bodies(payload))
        path = f"/webhooks/clicksend/{quote(wrong_token, safe='')}/{endpoint}/"
        before = snapshot()
        response = client.generic("POST", path, body, content_type=content_type)
        assert response.status_code in REJECTED, response.content
        assert snapshot() == before

    check()


@pytest.mark.parametrize("endpoint", ["inbound", "receipts"])
def test_clicksend_webhooks_with_the_token_never_fail_on_odd_bodies(client, sent_message, endpoint):
    """Authentic but odd: type drift, nesting, lists, huge numbers, other encodings."""
    message = sent_message("clicksend")
    token = Integration.objects.get(kind="clicksend").webhook_token
    path = reverse(f"sms:clicksend_{endpoint}", kwargs={"token": token})

    @FUZZ
    @given(payload=clicksend_payloads(message), data=st.data())
    def check(payload, data):
        body, content_type = data.draw(clicksend_bodies(payload))
        response = client.generic("POST", path, body, content_type=content_type)
        assert response.status_code in {200, 400}, response.content

    check()


@pytest.mark.postgres  # SQLite stores NaN in JSON text without complaint
@pytest.mark.parametrize("endpoint", ["inbound", "receipts"])
def test_non_finite_json_numbers_are_not_a_500(client, sent_message, endpoint):
    """Found by the fuzz above: Python's json reads NaN and Infinity, PostgreSQL's json does
    not. An authentic request must still be stored (or refused), never crash."""
    message = sent_message("clicksend")
    token = Integration.objects.get(kind="clicksend").webhook_token
    path = reverse(f"sms:clicksend_{endpoint}", kwargs={"token": token})
    message_id = str(uuid.uuid4()).upper() if endpoint == "inbound" else message.provider_message_id
    body = (
        f'{{"message_id": "{message_id}", "from": "{CANDIDATE_PHONE}", "to": "{CLICKSEND_FROM}",'
        f' "body": "Yes", "status_code": "201", "custom_string": "{message.pk}",'
        ' "message_price": NaN, "user_id": Infinity}'
    )
    response = client.generic("POST", path, body.encode(), content_type="application/json")
    assert response.status_code in {200, 400}
