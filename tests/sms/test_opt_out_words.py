"""How an opt-out reads on a thread and in a refusal: how the candidate opted out, and when."""

from datetime import UTC, datetime

import pytest

from sms.models import OptOut
from sms.optouts import opted_out_line, opted_out_reason

WHEN = datetime(2026, 3, 2, 10, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("source", "detail", "how"),
    [
        (OptOut.Source.KEYWORD, "STOP", "replied STOP"),
        (OptOut.Source.KEYWORD, "", "replied with a keyword"),
        (OptOut.Source.PHRASE, "please stop texting me", "replied “please stop texting me”"),
        (OptOut.Source.MANUAL, "", "asked a recruiter"),
        (OptOut.Source.MANUAL, "on the phone", "asked a recruiter: “on the phone”"),
        # No words of its own: the source's label, in running text.
        (OptOut.Source.PROVIDER, "21610", "provider rejected send (opted out)"),
    ],
)
def test_the_thread_line_says_how_and_when(source, detail, how):
    opt_out = OptOut(phone_number="+15145550101", source=source, detail=detail, changed_at=WHEN)
    assert opted_out_line(opt_out) == f"Opted out — {how} (2 Mar, 10:02)"


def test_the_refusal_names_the_candidate_the_day_and_how():
    opt_out = OptOut(
        phone_number="+1", source=OptOut.Source.KEYWORD, detail="STOP", changed_at=WHEN
    )
    assert opted_out_reason("Ada Lovelace", opt_out) == (
        "Ada Lovelace opted out of SMS on March 2, 2026 (replied STOP)."
    )
    opt_out.source, opt_out.detail = OptOut.Source.PROVIDER, "21610"
    assert opted_out_reason("Ada Lovelace", opt_out) == (
        "Ada Lovelace opted out of SMS on March 2, 2026."
    )
