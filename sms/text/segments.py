"""How an SMS body is encoded (GSM-7 or UCS-2) and how many segments it is billed as.

One function, `measure`, mirrored by the composer's live counter in JavaScript; both are checked
against the shared vectors in tests/sms/text/segment_vectors.json. `counter_label` writes the
counter's text as the JavaScript does, for pages rendered before it takes over.

GSM-7 (3GPP TS 23.038) carries 160 characters in one SMS, 153 per part when split; characters of
its extension table (`^ { } [ ] ~ \\ | €` and form feed) take two. Any other character switches
the whole message to UCS-2: 70 UTF-16 code units in one SMS, 67 per part (emoji outside the Basic
Multilingual Plane take two). A character is never split across two parts, as handsets do.
"""

from dataclasses import dataclass

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# The GSM 03.38 default alphabet (without the escape character itself).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Reached through the escape character: each costs two septets.
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

LIMITS = {
    GSM7: (160, 153),  # (single message, per part of a multipart message)
    UCS2: (70, 67),
}


@dataclass(frozen=True)
class SegmentInfo:
    encoding: str  # GSM7 or UCS2
    length: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int  # 0 for an empty body
    per_segment: int  # characters per segment at this size: 160/153 or 70/67
    first_ucs2_char: str | None  # the first character that forced UCS-2, if any

    def as_dict(self) -> dict:
        return {
            "encoding": self.encoding,
            "length": self.length,
            "segments": self.segments,
            "per_segment": self.per_segment,
            "first_ucs2_char": self.first_ucs2_char,
        }


def _gsm7_cost(char: str) -> int | None:
    if char in GSM7_BASIC:
        return 1
    if char in GSM7_EXTENSION:
        return 2
    return None


def _utf16_units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def measure(body: str) -> SegmentInfo:
    """Encoding, length, segment count and per-segment limit of `body`."""
    first_ucs2_char = next((c for c in body if _gsm7_cost(c) is None), None)
    encoding = GSM7 if first_ucs2_char is None else UCS2
    costs = [_gsm7_cost(c) if encoding == GSM7 else _utf16_units(c) for c in body]
    length = sum(costs)
    single, multi = LIMITS[encoding]
    if length == 0:
        return SegmentInfo(encoding, 0, 0, single, None)
    if length <= single:
        return SegmentInfo(encoding, length, 1, single, first_ucs2_char)
    # Pack greedily: a two-unit character that does not fit starts the next part.
    segments, used = 1, 0
    for cost in costs:
        if used + cost > multi:
            segments += 1
            used = 0
        used += cost
    return SegmentInfo(encoding, length, segments, multi, first_ucs2_char)


def counter_label(info: SegmentInfo) -> str:
    """ "142/160 · 1 segment", as static/js/sms_counter.js writes it (before JS takes over)."""
    limit = max(info.segments, 1) * info.per_segment
    noun = "segment" if info.segments == 1 else "segments"
    text = f"{info.length}/{limit} · {info.segments} {noun}"
    if info.encoding == UCS2 and info.first_ucs2_char:
        text += f" · UCS-2 because of “{info.first_ucs2_char}”"
    return text
