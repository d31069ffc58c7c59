"""SMS segment arithmetic (COMPLIANCE.md #13): encoding, units and parts for one text.

A text is GSM-7 when every character is in the GSM 03.38 basic set or its
extension table (which costs an escape septet, so two units); one character
outside both makes the whole text UCS-2, counted in UTF-16 code units.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

# 3GPP TS 23.038 default alphabet, in table order. 0x1B (escape) is left out:
# it is not a character a text can contain, only the prefix of the extension table.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ"
    "ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
"""The GSM 03.38 basic character set: one septet each."""

GSM_EXTENSION = frozenset("\f^{}\\[~]|€")
"""The GSM 03.38 extension table: an escape septet plus one, so two units each."""

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    """How a text travels: its encoding, its length in units, and the parts it needs.

    ``non_gsm`` lists the characters (first appearance order) that forced UCS-2.
    """

    encoding: Encoding
    units: int
    segments: int
    non_gsm: tuple[str, ...] = ()


def segments(text: str) -> SegmentInfo:
    """Encoding, units and segment count of ``text`` (an empty text needs no segment)."""
    non_gsm = tuple(dict.fromkeys(c for c in text if c not in GSM_BASIC and c not in GSM_EXTENSION))
    if non_gsm:
        # A character beyond the BMP (most emoji) is a surrogate pair: two UTF-16 units.
        sizes = [2 if ord(c) > 0xFFFF else 1 for c in text]
        return SegmentInfo("UCS-2", sum(sizes), _parts(sizes, UCS2_SINGLE, UCS2_PART), non_gsm)
    sizes = [2 if c in GSM_EXTENSION else 1 for c in text]
    return SegmentInfo("GSM-7", sum(sizes), _parts(sizes, GSM_SINGLE, GSM_PART))


def _parts(sizes: list[int], single: int, part: int) -> int:
    """Pack characters into parts; a two-unit character is never split across parts."""
    total = sum(sizes)
    if total <= single:
        return 1 if total else 0
    count, used = 1, 0
    for size in sizes:
        if used + size > part:
            count, used = count + 1, 0
        used += size
    return count
