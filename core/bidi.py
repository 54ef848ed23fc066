"""Bidirectional-text controls (U+202E RIGHT-TO-LEFT OVERRIDE and friends) in names.

A name such as "Ada\u202egpj.exe" renders reversed and can make one candidate look like another
or a harmless word look like something else. Names never need these invisible controls (a
right-to-left name is displayed correctly by the Unicode algorithm without them), so they are
removed where names are saved.
"""

import re

# LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI; LRM, RLM; ALM.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def strip_bidi_controls(text: str) -> str:
    return BIDI_CONTROLS.sub("", text or "")
