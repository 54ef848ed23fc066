"""Nextal's automatic replies: one confirmation per opt-out when the provider sends none
(ClickSend API traffic, or a sentence Twilio does not act on), in the candidate's language, and
the optional HELP answer. Both go through the outbox."""

import uuid
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from integrations.providers.base import InboundSms
from sms.inbound.ingest import record_inbound
from sms.models import ConsentEvent, Message, MessageStatus, OptOut
from sms.outbox.sending import send_queued_message
from sms.policy import save_policy
from tests.factories import CandidateFactory
from tests.helpers.providers import CANDIDATE_PHONE

pytestmark = pytest.mark.django_db


def inbound(body, *, opt_out_type=None):
    return InboundSms(
        provider_message_id=uuid.uuid4().hex,
        from_number=CANDIDATE_PHONE,
        to_number="+61411111112",
        body=body,
        received_at=None,
        opt_out_type=opt_out_type,
        raw={"body": body},
    )


def receive(provider, body, capture, **kwargs):
    with capture(execute=True):
        return record_inbound(provider, inbound(body, **kwargs))[0]


def confirmations():
    return Message.objects.filter(confirms_opt_out__isnull=False)


def test_a_clicksend_opt_out_gets_exactly_one_confirmation(
    active_clicksend, fake_provider, django_capture_on_commit_callbacks
):
    candidate = CandidateFactory(phone=CANDIDATE_PHONE)
    receive("clicksend", "please stop texting me", django_capture_on_commit_callbacks)
    receive("clicksend", "STOP", django_capture_on_commit_callbacks)  # already opted out
    confirmation = confirmations().get()
    assert confirmation.status == MessageStatus.SENT
    assert confirmation.thread.candidate == candidate
    assert confirmation.body == (
        "Nextal: you are unsubscribed and will get no more texts from us. "
        "Reply START to resubscribe."
    )
    assert confirmation.confirms_opt_out.detail == "please stop texting me"
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1
    sent = fake_provider.requests_for("clicksend.send")[0].json["messages"][0]
    assert sent["body"].startswith("Nextal: you are unsubscribed")


def test_twilio_confirms_its_own_keywords_but_not_a_sentence(
    active_twilio, fake_provider, django_capture_on_commit_callbacks
):
    receive("twilio", "STOP", django_capture_on_commit_callbacks)
    assert not confirmations().exists()
    receive("twilio", "START", django_capture_on_commit_callbacks)
    receive("twilio", "Arrêtez de m'écrire svp", django_capture_on_commit_callbacks)
    confirmation = confirmations().get()
    assert confirmation.body.startswith("Nextal : désabonnement confirmé")
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 1


def test_a_provider_that_matched_a_keyword_of_its_own_confirms_it_itself(
    active_twilio, fake_provider, django_capture_on_commit_callbacks
):
    receive("twilio", "Fin", django_capture_on_commit_callbacks, opt_out_type="STOP")
    assert OptOut.objects.get().opted_out
    assert not confirmations().exists()


def test_confirmations_can_be_turned_off(active_clicksend, django_capture_on_commit_callbacks):
    save_policy({"confirm_opt_outs": False}, by=None)
    receive("clicksend", "STOP", django_capture_on_commit_callbacks)
    assert OptOut.objects.get().opted_out and not confirmations().exists()


def test_the_database_allows_one_confirmation_per_opt_out(active_clicksend):
    receive("clicksend", "STOP", lambda execute: transaction.atomic())
    confirmation = confirmations().get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(
            thread=confirmation.thread,
            direction="outbound",
            status="queued",
            body="A second confirmation",
            confirms_opt_out=confirmation.confirms_opt_out,
        )


def test_a_confirmation_that_could_not_go_within_5_minutes_is_not_sent_late(
    active_clicksend, fake_provider, travel
):
    receive("clicksend", "STOP", lambda execute: transaction.atomic())  # not published
    confirmation = confirmations().get()
    travel(confirmation.confirms_opt_out.created_at + timedelta(minutes=6))
    assert send_queued_message(confirmation.pk) == MessageStatus.FAILED
    confirmation.refresh_from_db()
    assert "more than 5 minutes" in confirmation.error_message
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 0


def test_no_confirmation_once_the_number_opted_back_in(active_clicksend, fake_provider):
    receive("clicksend", "STOP", lambda execute: transaction.atomic())
    receive("clicksend", "START", lambda execute: transaction.atomic())
    confirmation = confirmations().get()
    assert send_queued_message(confirmation.pk) == MessageStatus.FAILED
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 0


def test_help_is_answered_when_turned_on_and_never_twice_for_one_message(
    active_clicksend, fake_provider, django_capture_on_commit_callbacks
):
    receive("clicksend", "HELP", django_capture_on_commit_callbacks)
    assert not Message.objects.filter(answers_help__isnull=False).exists()
    save_policy({"help_reply_enabled": True}, by=None)
    help_message = receive("clicksend", "help?", django_capture_on_commit_callbacks)
    answer = Message.objects.get(answers_help=help_message)
    assert answer.body.startswith("Nextal recruiting texts.") and "STOP" in answer.body
    receive("clicksend", "AIDE", django_capture_on_commit_callbacks)
    french = Message.objects.filter(answers_help__isnull=False).latest("pk")
    assert french.body.startswith("Nextal, textos de recrutement.")
    assert fake_provider.sends_to(CANDIDATE_PHONE) == 2
    assert not OptOut.objects.filter(opted_out=True).exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(
            thread=answer.thread,
            direction="outbound",
            status="queued",
            body="again",
            answers_help=help_message,
        )


def test_twilio_answers_help_itself(active_twilio, django_capture_on_commit_callbacks):
    save_policy({"help_reply_enabled": True}, by=None)
    receive("twilio", "HELP", django_capture_on_commit_callbacks)
    receive("twilio", "AIDE", django_capture_on_commit_callbacks)  # not one of Twilio's words
    answers = Message.objects.filter(answers_help__isnull=False)
    assert [m.answers_help.body for m in answers] == ["AIDE"]


def test_the_ledger_records_the_opt_out_with_the_words_that_triggered_it(active_clicksend):
    candidate = CandidateFactory(phone=CANDIDATE_PHONE)
    message = receive("clicksend", "ＳＴＯＰ", lambda execute: transaction.atomic())
    event = ConsentEvent.objects.get()
    assert (event.granted, event.source, event.detail, event.message, event.candidate) == (
        False,
        "opt_out_keyword",
        "STOP",
        message,
        candidate,
    )
    timeline = candidate.timeline.get(kind="opted_out")
    assert timeline.description == "Opted out of SMS (replied STOP)"
    receive("clicksend", "do not contact me", lambda execute: transaction.atomic())
    receive("clicksend", "START", lambda execute: transaction.atomic())
    receive("clicksend", "Please don't text me anymore", lambda execute: transaction.atomic())
    latest = candidate.timeline.filter(kind="opted_out").first()
    assert latest.description == "Opted out of SMS (replied “Please don't text me anymore”)"
    assert list(ConsentEvent.objects.values_list("source", flat=True)) == [
        "opt_out_phrase",
        "start_reply",
        "opt_out_keyword",
    ]


@pytest.mark.parametrize(
    "field", ["opt_out_confirmation", "opt_out_confirmation_fr", "help_reply", "help_reply_fr"]
)
def test_the_default_texts_are_one_gsm7_message_naming_the_company(field):
    from sms.models import SmsPolicy
    from sms.policy import fill_company_name
    from sms.text.segments import GSM7, measure

    text = fill_company_name(getattr(SmsPolicy(), field))
    assert text.startswith("Nextal")
    assert (measure(text).encoding, measure(text).segments) == (GSM7, 1)
