"""Reading a reply as an opt-out, an opt-in or a request for help.

Candidates say stop in many ways ("opt out", "\"STOP\"", a full-width "ＳＴＯＰ", "please stop
texting me", "arrêtez de m'écrire"), and the law counts any reasonable one. The text is
normalised first (`sms.text.folding.normalise`), then matched against the rules in
`keyword_rules.py`: a whole message that is a keyword, a keyword with politeness around it, then
sentences. The provider's own verdict (Twilio's `OptOutType`) counts too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from sms.inbound import keyword_rules as rules
from sms.text.cleaning import clean
from sms.text.folding import normalise

OPT_OUT, OPT_IN, HELP = rules.OPT_OUT, rules.OPT_IN, rules.HELP


@dataclass(frozen=True)
class Reading:
    """What a reply asks for."""

    intent: str  # OPT_OUT, OPT_IN or HELP
    rule: str  # which rule matched, e.g. "keyword:stop", "phrase:dont-text-me", "provider:STOP"
    language: str  # "en" or "fr": which confirmation to answer with
    # The reply as the candidate wrote it (cleaned, one line), for the thread and the timeline.
    text: str
    # A single keyword ("STOP"), as carriers and providers match them; None for a sentence.
    keyword: str | None

    @property
    def detail(self) -> str:
        """How the opt-out is recorded: the keyword ("STOP"), or the candidate's words."""
        return self.keyword or self.text


@cache
def _phrases():
    return [(name, lang, re.compile(pattern)) for name, lang, pattern in rules.OPT_OUT_PHRASES]


@cache
def _guards():
    return [(name, re.compile(pattern)) for name, pattern in rules.NOT_OPT_OUT]


def _keyword_with_filler(words: list[str]) -> str | None:
    keywords = [w for w in words if w in rules.KEYWORDS_WITH_FILLER]
    if keywords and all(w in rules.KEYWORDS_WITH_FILLER or w in rules.FILLER_WORDS for w in words):
        return keywords[0]
    return None


def read_reply(body: str, provider_opt_out_type: str | None = None) -> Reading | None:
    """What the reply asks for, or None when it is an ordinary message."""
    text = " ".join(clean(body, 500).split())
    normal = normalise(text)
    if normal in rules.KEYWORDS:
        intent, language = rules.KEYWORDS[normal]
        return Reading(intent, f"keyword:{normal}", language, text, normal.upper())
    words = normal.split()
    keyword = _keyword_with_filler(words)
    if keyword is not None:
        _, language = rules.KEYWORDS[keyword]
        if any(word in rules.FILLER_WORDS_FR for word in words):
            language = "fr"
        return Reading(OPT_OUT, f"keyword+filler:{keyword}", language, text, None)
    provider_type = (provider_opt_out_type or "").strip().upper()
    provider_intents = {"STOP": OPT_OUT, "START": OPT_IN}
    if provider_type in provider_intents:
        # The provider matched a keyword of its own (e.g. one configured in Twilio's console).
        return Reading(
            provider_intents[provider_type],
            f"provider:{provider_type}",
            "en",
            text,
            normal.upper() if normal and " " not in normal else provider_type,
        )
    if not normal or any(guard.search(normal) for _, guard in _guards()):
        return None
    for name, language, pattern in _phrases():
        if pattern.search(normal):
            return Reading(OPT_OUT, f"phrase:{name}", language, text, None)
    return None
