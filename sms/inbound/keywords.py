"""Reading a reply as an opt-out, an opt-in or a request for help.

Candidates say stop in many ways ("opt out", "\"STOP\"", a full-width "ＳＴＯＰ", "please stop
texting me", "arrêtez de m'écrire"), and the law counts any reasonable one. The text is
normalised first (`normalise`), then matched against the rules in `keyword_rules.py`: a whole
message that is a keyword, a keyword with politeness around it, then sentences. The provider's
own verdict (Twilio's `OptOutType`) counts too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from sms.inbound import keyword_rules as rules
from sms.text.cleaning import clean

OPT_OUT, OPT_IN, HELP = rules.OPT_OUT, rules.OPT_IN, rules.HELP

# Letters that render like Latin ones and are used to slip past filters ("SТОР" in Cyrillic).
_LOOKALIKES = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ѕ": "s", "ј": "j", "ԛ": "q",
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ѵ": "v",
    }
)  # fmt: skip
_APOSTROPHES = re.compile(r"['’‘ʼ`´]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
# "S.T.O.P" or "s t o p": single letters spelled out.
_SPELLED_OUT = re.compile(r"^(?:[a-z] )+[a-z]$")


def normalise(text: str) -> str:
    """The text as the rules read it: "  “ＳＴＯＰ” 🛑 " → "stop", "Don't text me!" →
    "dont text me", "ARRÊTEZ de m'écrire" → "arretez de mecrire"."""
    text = unicodedata.normalize("NFKC", text or "")
    # Zero-width and other invisible format characters (U+200B, U+2060, U+FEFF, soft hyphen…).
    text = "".join(char for char in text if unicodedata.category(char) != "Cf")
    text = text.casefold().translate(_LOOKALIKES)
    # Accents off: ARRÊT and ARRET, DÉSABONNER and DESABONNER read the same.
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = _APOSTROPHES.sub("", text)
    text = " ".join(_NOT_WORD.sub(" ", text).split())
    if _SPELLED_OUT.match(text):
        text = text.replace(" ", "")
    return text


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
