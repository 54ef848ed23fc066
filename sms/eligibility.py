"""Whether an SMS may go out now, later (held until when), or not at all (and why): the one
answer for every place that sends — a recruiter's message, a scheduled one, a bulk send, a
retry, an automatic reply, a test, and automation.

The questions, in this order: can the active provider send at all; does the candidate have a
valid number; can the provider's sender text that number at all (a ClickSend sender ID cannot
text US or Canadian numbers); has that number opted out; is there consent on record (when the
policy requires it); has the bulk/automated frequency cap been reached; and would the message
reach the candidate inside quiet hours in their own time zone (then it is held until the window
opens).

`sending_check` answers for one candidate (looking up only what the answer needs);
`recipient_facts_for` loads the same facts for many candidates at once (bulk sends);
`send_time_check` asks again when the send task is about to hand a queued message to the
provider (a retry or a long queue can land in the night). `provider_block` and `number_block`
and `destination_block` are single questions, for sends that are not to a candidate's profile
number.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from django.db.models import Count, Q
from django.utils import timezone

from candidates.models import Candidate
from core.batching import chunks
from core.phone import to_e164_or_none
from integrations.models import Integration
from integrations.providers import provider_class
from sms.models import Message, MessageStatus, OptOut, SmsPolicy, Thread
from sms.optouts import opt_out_for, opted_out_reason, standing_for, standings_for
from sms.policy import company_zone, current_policy
from sms.quiet_hours import RecipientZone, Window, next_opening, recipient_zone

SMS_TURNED_OFF = "SMS is turned off. Ask an administrator to activate Twilio or ClickSend."
# A candidate who texted this recently is awake and waiting: a reply is not held.
AWAKE_AFTER_TEXTING = timedelta(minutes=30)
CAP_PERIOD = timedelta(hours=24)
# An opt-out confirmation later than this is not the prompt "one confirmation" the FCC allows.
CONFIRMATION_DEADLINE = timedelta(minutes=5)
# Statuses that do not count towards the frequency cap: the candidate never got them.
NOT_RECEIVED = (MessageStatus.FAILED, MessageStatus.CANCELED)


class Purpose(enum.StrEnum):
    """What kind of send is asked about: the rules differ."""

    REPLY = "reply"  # a recruiter's message now (composer, kanban card, retry)
    SCHEDULED = "scheduled"  # a recruiter's message for a later time
    BULK = "bulk"  # one of a "Send SMS to N candidates"
    AUTOMATED = "automated"  # sent by an automation rule
    AUTO_REPLY = "auto_reply"  # the opt-out confirmation, the HELP answer
    TEST = "test"  # "Send test SMS" from the Integrations card, to an internal number


# Which rules apply to which purposes.
CONSENT_PURPOSES = frozenset({Purpose.REPLY, Purpose.SCHEDULED, Purpose.BULK, Purpose.AUTOMATED})
CAPPED_PURPOSES = frozenset({Purpose.BULK, Purpose.AUTOMATED})
QUIET_HOURS_PURPOSES = CONSENT_PURPOSES


def active_integration() -> Integration | None:
    return Integration.objects.filter(is_active=True).first()


@dataclass(frozen=True)
class SendingBlock:
    """Why SMS cannot be sent: what kind of problem, and the readable reason."""

    PROVIDER = "provider"  # no active provider, or it cannot send
    PHONE = "phone"  # no phone number, or not a valid one
    DESTINATION = "destination"  # the provider's sender cannot text this number
    OPTED_OUT = "opted_out"
    NO_CONSENT = "no_consent"  # the policy requires consent and none is on record
    CAPPED = "capped"  # the bulk/automated frequency cap is reached

    kind: str
    reason: str
    opt_out: OptOut | None = None  # for OPTED_OUT: when and how


@dataclass(frozen=True)
class Hold:
    """A message that would reach the candidate inside quiet hours waits until `until`."""

    until: datetime  # aware, UTC
    zone: RecipientZone

    @property
    def local_until(self) -> datetime:
        return self.until.astimezone(self.zone.zone)

    @property
    def opens_label(self) -> str:
        """ "08:00 Tue" in the candidate's time."""
        local = self.local_until
        return f"{local:%H:%M} {local:%a}"

    def describe(self, first_name: str = "") -> str:
        """ "Held for quiet hours — goes out 08:00 Tue (Ada's time)" """
        whose = f"{first_name}'s time" if first_name else "their time"
        return f"Held for quiet hours — goes out {self.opens_label} ({whose})"

    def notice(self, candidate) -> str:
        """ "Message to Ada Lovelace held for quiet hours — goes out 08:00 Tue (Ada's time)." """
        held = self.describe(candidate.first_name)
        return f"Message to {candidate.full_name} h{held[1:]}."


@dataclass(frozen=True)
class SendingCheck:
    """The answer for one candidate: the number to text and the block, or when it may go."""

    number: str | None  # E.164, None without a valid number
    block: SendingBlock | None
    hold: Hold | None = None  # may go, but not before hold.until
    zone: RecipientZone | None = None  # the zone quiet hours were judged in
    # The number's standing: its opt-out, or its consent on record (None: nothing recorded).
    standing: OptOut | None = field(default=None, compare=False)

    @property
    def reason(self) -> str | None:
        return self.block.reason if self.block else None


def provider_block(integration: Integration | None) -> SendingBlock | None:
    """Why the active provider (if any) cannot send right now."""
    if integration is None:
        return SendingBlock(SendingBlock.PROVIDER, SMS_TURNED_OFF)
    name = integration.get_kind_display()
    if integration.secret_undecryptable:
        return SendingBlock(
            SendingBlock.PROVIDER,
            f"SMS is turned off: the stored {name} credentials can no longer be decrypted. "
            f"Ask an administrator to enter them again.",
        )
    if not integration.can_send:
        return SendingBlock(
            SendingBlock.PROVIDER,
            f"SMS is turned off: {name} is missing its credentials or sender number. "
            f"Ask an administrator to complete its settings.",
        )
    return None


def phone_block(candidate: Candidate, number: str | None) -> SendingBlock | None:
    """Why the candidate's stored phone cannot be texted (`number`: its E.164 form, if any)."""
    if not candidate.phone:
        return SendingBlock(SendingBlock.PHONE, f"{candidate.full_name} has no phone number.")
    if number is None:
        return SendingBlock(
            SendingBlock.PHONE,
            f"{candidate.full_name}'s phone number {candidate.phone} is not a valid number.",
        )
    return None


def destination_block(integration: Integration | None, number: str | None) -> SendingBlock | None:
    """Why the active provider's sender cannot text `number` at all (asked before any API
    call), e.g. a ClickSend sender ID and a US or Canadian number."""
    if integration is None or not number:
        return None
    reason = provider_class(integration.kind).destination_refusal(
        alpha_sender=integration.alpha_sender, to=number
    )
    return SendingBlock(SendingBlock.DESTINATION, reason) if reason else None


def number_block(number: str, name: str, opt_out: OptOut | None = ...) -> SendingBlock | None:
    """Why `number` must not be texted (it opted out). `opt_out` may be passed when the caller
    already looked it up (bulk sends look up every number at once)."""
    if opt_out is ...:
        opt_out = opt_out_for(number)
    if opt_out is not None:
        return SendingBlock(SendingBlock.OPTED_OUT, opted_out_reason(name, opt_out), opt_out)
    return None


def sending_window(policy: SmsPolicy) -> Window | None:
    """The policy's sending window, or None when quiet hours are not enforced."""
    if not policy.quiet_hours_enabled:
        return None
    return Window(policy.send_from, policy.send_until, policy.no_sunday_sends)


def zone_for(candidate: Candidate | None, number: str | None, policy: SmsPolicy) -> RecipientZone:
    """The candidate's time zone: their profile's, else their number's, else the company's."""
    profile_zone = candidate.time_zone if candidate is not None else ""
    return recipient_zone(profile_zone, number, company_zone(policy))


class RecipientFacts:
    """What the rules need to know about one recipient, looked up on first use (one query each)
    unless given (bulk sends load them for everyone at once)."""

    def __init__(self, candidate, number, *, now, **known):
        self.candidate, self.number, self.now = candidate, number, now
        self.__dict__.update(known)  # precomputed values win over the cached properties

    @cached_property
    def standing(self) -> OptOut | None:
        """The number's opt-out and consent on record, in one query."""
        return standing_for(self.number)

    @property
    def opt_out(self) -> OptOut | None:
        return self.standing if self.standing is not None and self.standing.opted_out else None

    @property
    def has_consent(self) -> bool:
        return self.standing is not None and self.standing.has_consent

    @cached_property
    def capped_count(self) -> int:
        return capped_messages(Q(thread__candidate=self.candidate), now=self.now).count()

    @cached_property
    def last_inbound_at(self) -> datetime | None:
        return (
            Thread.objects.filter(candidate=self.candidate)
            .values_list("last_inbound_at", flat=True)
            .first()
        )


def capped_messages(where: Q, *, now):
    """The bulk and automated messages that count towards the frequency cap."""
    return (
        Message.objects.filter(where, created_at__gte=now - CAP_PERIOD)
        .filter(Q(bulk_send__isnull=False) | Q(automation_rule__isnull=False))
        .exclude(status__in=NOT_RECEIVED)
    )


def recipient_facts_for(candidates, numbers: dict, *, now, purpose) -> dict[int, RecipientFacts]:
    """{candidate id: facts} for many candidates in a few queries per 1,000 (bulk sends)."""
    candidates = list(candidates)
    standings = standings_for(numbers.values())
    capped = {}
    if purpose in CAPPED_PURPOSES:
        for chunk in chunks([c.pk for c in candidates]):
            rows = (
                capped_messages(Q(thread__candidate_id__in=chunk), now=now)
                .values("thread__candidate_id")
                .annotate(n=Count("id"))
                .values_list("thread__candidate_id", "n")
            )
            capped.update(rows)
    inbound = {}
    if purpose == Purpose.REPLY:
        for chunk in chunks([c.pk for c in candidates]):
            inbound.update(
                Thread.objects.filter(candidate_id__in=chunk).values_list(
                    "candidate_id", "last_inbound_at"
                )
            )
    return {
        c.pk: RecipientFacts(
            c,
            numbers.get(c.pk),
            now=now,
            standing=standings.get(numbers.get(c.pk)),
            capped_count=capped.get(c.pk, 0),
            last_inbound_at=inbound.get(c.pk),
        )
        for c in candidates
    }


def no_consent_reason(name: str) -> str:
    return (
        f"No consent on record for {name}. Record how they agreed to be texted before the first "
        f"SMS (Administration → SMS Settings requires it)."
    )


def decide(
    candidate: Candidate,
    number: str | None,
    facts: RecipientFacts,
    *,
    purpose: Purpose,
    at: datetime,
    now: datetime,
    policy: SmsPolicy,
) -> SendingCheck:
    """The rules themselves, for a candidate whose provider can send. `at` is when the message
    would go out (now, or its scheduled time)."""
    block = phone_block(candidate, number) or number_block(
        number, candidate.full_name, facts.opt_out
    )
    if block:
        return SendingCheck(number, block, standing=facts.standing if number else None)
    if policy.require_consent and purpose in CONSENT_PURPOSES and not facts.has_consent:
        return SendingCheck(
            number,
            SendingBlock(SendingBlock.NO_CONSENT, no_consent_reason(candidate.full_name)),
            standing=facts.standing,
        )
    if purpose in CAPPED_PURPOSES and facts.capped_count >= policy.bulk_cap_per_day:
        cap = policy.bulk_cap_per_day
        reason = (
            f"{candidate.full_name} already got {facts.capped_count} bulk or automated "
            f"text{'s' if facts.capped_count != 1 else ''} in the last 24 hours "
            f"(the limit is {cap})."
        )
        return SendingCheck(
            number, SendingBlock(SendingBlock.CAPPED, reason), standing=facts.standing
        )
    if sending_window(policy) is None or purpose not in QUIET_HOURS_PURPOSES:
        # No quiet hours to judge: no zone to look up (a bulk send of thousands parses no
        # number twice).
        return SendingCheck(number, None, standing=facts.standing)
    zone = zone_for(candidate, number, policy)
    hold = quiet_hours_hold(zone, purpose, at=at, now=now, policy=policy, facts=facts)
    return SendingCheck(number, None, hold=hold, zone=zone, standing=facts.standing)


def quiet_hours_hold(zone, purpose, *, at, now, policy, facts) -> Hold | None:
    window = sending_window(policy)
    if window is None or purpose not in QUIET_HOURS_PURPOSES:
        return None
    opening = next_opening(at, zone.zone, window)
    if opening is None:
        return None
    if purpose == Purpose.REPLY:
        texted = facts.last_inbound_at
        if texted is not None and now - texted <= AWAKE_AFTER_TEXTING:
            return None
    return Hold(opening, zone)


def sending_check(
    candidate: Candidate,
    *,
    purpose: Purpose = Purpose.REPLY,
    at: datetime | None = None,
    now: datetime | None = None,
    integration=...,
    facts: RecipientFacts | None = None,
) -> SendingCheck:
    """Whether SMS can be sent to this candidate, when, and to which number.

    `integration` may be passed (even None) when the caller already looked up the active one;
    `at` is a scheduled time (default: now).
    """
    if integration is ...:
        integration = active_integration()
    now = now or timezone.now()
    number = to_e164_or_none(candidate.phone) if candidate.phone else None
    block = provider_block(integration) or destination_block(integration, number)
    if block:
        return SendingCheck(number, block)
    facts = facts or RecipientFacts(candidate, number, now=now)
    return decide(
        candidate,
        number,
        facts,
        purpose=purpose,
        at=at or now,
        now=now,
        policy=current_policy(),
    )


def attachment_refusal(integration: Integration | None, attachment) -> str | None:
    """Why the active provider cannot send this uploaded file by MMS (ClickSend: JPEG or GIF
    up to 250 kB), or None."""
    if integration is None or attachment is None:
        return None
    return provider_class(integration.kind).media_refusal(
        content_type=attachment.sniffed_type, size=attachment.size
    )


UNKNOWN_SENDER_NAME = "This number"


def number_sending_check(
    number: str,
    *,
    last_inbound_at: datetime | None,
    purpose: Purpose = Purpose.REPLY,
    at: datetime | None = None,
    now: datetime | None = None,
    integration=...,
    standing=...,
) -> SendingCheck:
    """The same rules for a number no candidate has (a reply to an unknown sender): the
    provider, the destination, its opt-out, consent when required, and quiet hours in the
    number's zone (else the company's). `standing` (the number's OptOut row, or None) may be
    passed when the caller read it with the thread."""
    if integration is ...:
        integration = active_integration()
    now = now or timezone.now()
    valid = to_e164_or_none(number) if number and number.startswith("+") else None
    if valid is None:
        return SendingCheck(
            None,
            SendingBlock(
                SendingBlock.PHONE, f"{number} cannot be texted back (not a phone number)."
            ),
        )
    block = provider_block(integration) or destination_block(integration, valid)
    if block:
        return SendingCheck(valid, block)
    known = {"standing": standing} if standing is not ... and valid == number else {}
    facts = RecipientFacts(None, valid, now=now, last_inbound_at=last_inbound_at, **known)
    block = number_block(valid, UNKNOWN_SENDER_NAME, facts.opt_out)
    if block:
        return SendingCheck(valid, block, standing=facts.standing)
    policy = current_policy()
    if policy.require_consent and purpose in CONSENT_PURPOSES and not facts.has_consent:
        return SendingCheck(
            valid,
            SendingBlock(SendingBlock.NO_CONSENT, no_consent_reason(UNKNOWN_SENDER_NAME)),
            standing=facts.standing,
        )
    zone = zone_for(None, valid, policy)
    hold = quiet_hours_hold(zone, purpose, at=at or now, now=now, policy=policy, facts=facts)
    return SendingCheck(valid, None, hold=hold, zone=zone, standing=facts.standing)


def purpose_of(message: Message) -> Purpose:
    """What kind of send a queued message is (the send task asks the rules again)."""
    if message.is_test:
        return Purpose.TEST
    if message.confirms_opt_out_id or message.answers_help_id:
        return Purpose.AUTO_REPLY
    if message.automation_rule_id or message.stage_entry_id:
        return Purpose.AUTOMATED
    if message.bulk_send_id:
        return Purpose.BULK
    if message.scheduled_for:
        return Purpose.SCHEDULED
    return Purpose.REPLY


@dataclass(frozen=True)
class SendTimeCheck:
    block: SendingBlock | None = None  # fail it with this reason
    hold: Hold | None = None  # put it back until then
    code: str = ""  # the error code recorded with a block


def send_time_check(message: Message, *, now: datetime, opt_out=...) -> SendTimeCheck:
    """Ask the rules again for a claimed message, just before it goes to the provider: the
    opt-out (an automatic confirmation goes to an opted-out number, promptly or not at all) and
    quiet hours at the moment it would actually arrive. `opt_out` (the number's opt-out in
    force, or None) may be passed when the caller loaded it with the message."""
    thread = message.thread  # None for a test message
    candidate = thread.candidate if thread else None
    name = candidate.full_name if candidate else "This number"
    purpose = purpose_of(message)
    if opt_out is ...:
        opt_out = opt_out_for(message.to_number)
    if message.confirms_opt_out_id:
        if opt_out is None:
            reason = "Not sent: the number opted back in before the confirmation went out."
            return SendTimeCheck(SendingBlock(SendingBlock.OPTED_OUT, reason), code="opted_in")
        if now > message.confirms_opt_out.created_at + CONFIRMATION_DEADLINE:
            reason = (
                "Not sent: more than 5 minutes passed since the opt-out; a late confirmation "
                "would only confuse."
            )
            return SendTimeCheck(SendingBlock(SendingBlock.OPTED_OUT, reason), code="too_late")
    elif purpose != Purpose.AUTO_REPLY:
        block = number_block(message.to_number, name, opt_out)
        if block:
            return SendTimeCheck(
                SendingBlock(block.kind, "Not sent: " + block.reason), code="opted_out"
            )
    policy = current_policy()
    facts = RecipientFacts(
        candidate, message.to_number, now=now, last_inbound_at=thread and thread.last_inbound_at
    )
    if purpose == Purpose.AUTOMATED and policy.require_consent and not facts.has_consent:
        # Queued at the stage move, due later: consent may have been withdrawn meanwhile.
        block = SendingBlock(SendingBlock.NO_CONSENT, "Not sent: " + no_consent_reason(name))
        return SendTimeCheck(block, code="no_consent")
    if sending_window(policy) is None or purpose not in QUIET_HOURS_PURPOSES:
        return SendTimeCheck()  # no quiet hours to hold for: no zone to look up
    zone = zone_for(candidate, message.to_number, policy)
    hold = quiet_hours_hold(zone, purpose, at=now, now=now, policy=policy, facts=facts)
    return SendTimeCheck(hold=hold)
