"""What the profile's SMS consent section shows."""

from core.phone import to_e164_or_none
from sms import ledger
from sms.consent_records.forms import RecordConsentForm, RecordOptOutForm

HISTORY_SHOWN = ledger.HISTORY_SHOWN


def consent_section(candidate, *, user, standing, consent_form=None, opt_out_form=None) -> dict:
    """The state (from the number's standing, already looked up with the sending check), the
    history (one query) and the forms the user may use."""
    number = to_e164_or_none(candidate.phone) if candidate.phone else None
    history = ledger.history(number, limit=HISTORY_SHOWN + 1)
    opted_out = standing is not None and standing.opted_out
    can_record = user.has_perm("sms.add_consentevent") and number is not None
    return {
        "candidate": candidate,
        "number": number,
        "standing": standing,
        "opted_out": opted_out,
        "has_consent": standing is not None and standing.has_consent,
        "history": history[:HISTORY_SHOWN],
        "history_truncated": len(history) > HISTORY_SHOWN,
        "can_record": can_record,
        "consent_form": (consent_form or RecordConsentForm())
        if can_record and not opted_out
        else None,
        "opt_out_form": (opt_out_form or RecordOptOutForm())
        if can_record and not opted_out
        else None,
    }
