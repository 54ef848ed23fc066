"""Whether an SMS may go out now, and if not, why: one answer for every place that sends.

Four questions, asked in this order: can the active provider send at all, does the candidate
have a valid number, can the provider's sender text that number (a ClickSend sender ID cannot
text US or Canadian numbers), has that number opted out. `sending_check` asks them all for a
candidate and returns the E.164 number to use with the answer; `provider_block`,
`destination_block` and `number_block` are single questions, for sends that are not to a
candidate's profile number.
"""

from __future__ import annotations

from dataclasses import dataclass

from candidates.models import Candidate
from core.phone import to_e164_or_none
from integrations.models import Integration
from integrations.providers import provider_class
from sms.models import OptOut
from sms.optouts import opt_out_for, opted_out_reason

SMS_TURNED_OFF = "SMS is turned off. Ask an administrator to activate Twilio or ClickSend."


def active_integration() -> Integration | None:
    return Integration.objects.filter(is_active=True).first()


@dataclass(frozen=True)
class SendingBlock:
    """Why SMS cannot be sent: what kind of problem, and the readable reason."""

    PROVIDER = "provider"  # no active provider, or it cannot send
    PHONE = "phone"  # no phone number, or not a valid one
    DESTINATION = "destination"  # the provider's sender cannot text this number
    OPTED_OUT = "opted_out"

    kind: str
    reason: str
    opt_out: OptOut | None = None  # for OPTED_OUT: when and how


@dataclass(frozen=True)
class SendingCheck:
    """The answer for one candidate: the number to text, or the block (or both)."""

    number: str | None  # E.164, None without a valid number
    block: SendingBlock | None

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


def destination_block(integration: Integration | None, number: str) -> SendingBlock | None:
    """Why the active provider's sender cannot text `number` at all (checked before any API
    call), e.g. a ClickSend sender ID and a US or Canadian number."""
    if integration is None:
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


def sending_check(candidate: Candidate, *, integration=...) -> SendingCheck:
    """Whether SMS can be sent to this candidate right now, and to which number.

    `integration` may be passed (even None) when the caller already looked up the active one.
    """
    if integration is ...:
        integration = active_integration()
    number = to_e164_or_none(candidate.phone) if candidate.phone else None
    block = (
        provider_block(integration)
        or phone_block(candidate, number)
        or destination_block(integration, number)
        or number_block(number, candidate.full_name)
    )
    return SendingCheck(number=number, block=block)
