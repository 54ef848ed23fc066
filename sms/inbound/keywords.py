"""Which replies change a number's opt-out: carriers' single-word keywords, or the provider's
own verdict (Twilio's `OptOutType`)."""

from __future__ import annotations

OPT_OUT_KEYWORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
)
OPT_IN_KEYWORDS = frozenset({"START", "YES", "UNSTOP"})


def opt_out_keyword(body: str, provider_opt_out_type: str | None) -> tuple[bool | None, str]:
    """(True, keyword) for an opt-out, (False, keyword) for an opt-in, (None, "") otherwise.

    A keyword counts only as the whole message (one word, any case, surrounding spaces and
    a trailing full stop or exclamation mark ignored), as carriers match them.
    """
    word = (body or "").strip().rstrip(".!").strip().upper()
    provider_type = (provider_opt_out_type or "").strip().upper()
    if word in OPT_OUT_KEYWORDS:
        return True, word
    if word in OPT_IN_KEYWORDS:
        return False, word
    if provider_type == "STOP":
        return True, word or "STOP"
    if provider_type == "START":
        return False, word or "START"
    return None, ""
