"""Text folded to what keyword rules compare: one form for every way of typing the same word.

Candidates (and people trying to slip past filters) write STOP as "“ＳＴＯＰ”", "ST\u200bOP",
"SТОР" in Cyrillic letters or "S.T.O.P"; French accents come and go (ARRÊT, ARRET).
"""

from __future__ import annotations

import re
import unicodedata

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
