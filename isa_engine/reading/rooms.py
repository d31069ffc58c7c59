"""Bedrooms and bathrooms: "3 bd 2 ba", "3/2", "two and a half baths", a bare "3" when asked.

Works on the normalised text (number words already digits, halves already decimals) with the
spans of other finders blanked out. Ranges and alternatives give their lower end (the minimum).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from isa_engine.reading.lexicon import words

Span = tuple[int, int]

_NUM = r"\d{1,2}(?:\.\d+)?"
_BED = r"(?:bed(?:room)?s?|bdrms?|bdr?s?|brs?|bedroom\(s\)|bedrm?s?|rooms?)"
_BATH = r"(?:bath(?:room)?s?|bas?|bths?|bthrms?)"
# The count opens the pattern and the lookbehind follows its first digit (the same test of the
# same place), so the matcher jumps from digit to digit instead of trying every character.
_UNIT_AFTER = re.compile(
    rf"(?P<a>\d(?<![\d.$,]\d)\d?(?:\.\d+)?)(?:\s*(?:-|to|or)\s*(?P<b>{_NUM}))?"
    r"(?:\s*\+|\s+or\s+more|\s+plus|\s+or\s+up)?(?:\s*|-)"
    rf"(?:(?P<full>full)\s+)?(?P<unit>{_BED}|{_BATH})(?:\b|(?=\d))"  # "3bd2ba"
    rf"(?:\s*(?:and|&|\+)?\s*(?:a\s+half|(?P<half>\d)\s*half(?:\s+{_BATH})?)\b)?"
)
_UNIT_BEFORE = re.compile(rf"\b(?P<unit>{_BED}|{_BATH})\s*[:=]\s*(?P<a>{_NUM})(?![\d.])")
_FULL_HALF = re.compile(
    rf"\b(?P<a>\d)\s+full(?:\s+{_BATH})?\s*(?:and|&|,|\+)?\s*(?:\d|a)\s+half(?:\s+{_BATH})?\b"
)
_A_BATH_AND_HALF = re.compile(rf"\b(?:a|1)\s+(?:full\s+)?{_BATH}\s+and\s+a\s+half\b")
_SLASH = re.compile(r"(?<![\d./$,])([1-9])\s*/\s*([1-9](?:\.5)?)(?:\s*/\s*\d)?(?![\d/.])")
_STUDIO = re.compile(r"\b(?:studio|efficiency)\b")
_BARE = re.compile(
    rf"(?<![\w.$/,-])(?P<a>{_NUM})(?:\s*(?:-|to|or)\s*(?P<b>{_NUM}))?(?P<plus>\s*\+)?(?![\w/%$:-]|[.,]\d)"
)
_NEXT_WORD = re.compile(r"\s*([a-z]+)")
_CLAUSE = re.compile(r"[,.;!?\n]")
_WORDS = re.compile(r"[a-z]+")
_PREV_WORD = re.compile(r"([a-z#]+)\s*$")
_BED_UNIT = re.compile(_BED)
_ROOMS_CONTEXT = re.compile(rf"\b(?:{_BED}|{_BATH})\b")
_MAX_BEDS = 12
_MAX_BATHS = 10.0


@dataclass(slots=True)
class Rooms:
    """What the rooms finder read: slot values and the normalised spans it used."""

    beds: int | None = None
    baths: float | None = None
    spans: list[Span] = field(default_factory=list)
    strong: list[Span] = field(default_factory=list)  # spans with a unit: they beat a time


def _low(a: str, b: str | None) -> float:
    x = float(a)
    return min(x, float(b)) if b else x


def _set_beds(r: Rooms, value: float, span: Span) -> None:
    if r.beds is None and value == int(value) and 0 <= value <= _MAX_BEDS:
        r.beds = int(value)
        r.spans.append(span)


def _set_baths(r: Rooms, value: float, span: Span) -> None:
    if r.baths is None and 0 < value <= _MAX_BATHS and (value * 2) == int(value * 2):
        r.baths = float(value)
        r.spans.append(span)


def strong_spans(text: str) -> list[Span]:
    """Spans of room counts that carry a unit ("3 bd", "2.5 baths"): a time finder must yield."""
    return [m.span() for m in _UNIT_AFTER.finditer(text)]


def _explicit(text: str, r: Rooms) -> None:
    for m in _FULL_HALF.finditer(text):
        _set_baths(r, float(m.group("a")) + 0.5, m.span())
        r.strong.append(m.span())
    for m in _A_BATH_AND_HALF.finditer(text):
        _set_baths(r, 1.5, m.span())
        r.strong.append(m.span())
    for m in _UNIT_AFTER.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in r.spans):
            continue
        value = _low(m.group("a"), m.group("b"))
        if _BED_UNIT.fullmatch(m.group("unit")):
            _set_beds(r, value, m.span())
        else:
            half = m.group(0).rstrip().endswith("half") or bool(m.group("half"))
            _set_baths(r, value + (0.5 if half and value == int(value) else 0), m.span())
        r.strong.append(m.span())
    for m in _UNIT_BEFORE.finditer(text):
        if _BED_UNIT.fullmatch(m.group("unit")):
            _set_beds(r, float(m.group("a")), m.span())
        else:
            _set_baths(r, float(m.group("a")), m.span())
        r.strong.append(m.span())


def _slash(text: str, r: Rooms) -> None:
    """ "3/2" (and Texas "3/2/2") is beds/baths; "1/2" is a half, never rooms."""
    for m in _SLASH.finditer(text):
        beds, baths = int(m.group(1)), float(m.group(2))
        if (beds, baths) == (1, 2.0) or baths > beds + 1:
            continue
        nxt = _NEXT_WORD.match(text, m.end())
        if nxt and nxt.group(1) in words("reading_numbers.yaml", "count_distractors"):
            continue
        if r.beds is None and r.baths is None:
            _set_beds(r, beds, m.span())
            _set_baths(r, baths, m.span())


def _bare_ok(text: str, m: re.Match[str]) -> bool:
    """A bare number answers the count asked unless a noun says it counts something else."""
    nxt = _NEXT_WORD.match(text, m.end())
    if nxt and not m.group("plus"):
        w = nxt.group(1)
        if w in words("reading_numbers.yaml", "count_distractors"):
            return False
        if w.endswith("s") and w not in words("reading_numbers.yaml", "count_followers"):
            return False  # "2 kids", "3 dogs": a plural noun names what is counted
    prev = _PREV_WORD.search(text, 0, m.start())
    if prev and prev.group(1) in words("reading_numbers.yaml", "count_preceders"):
        return False
    # "my kids are 3 and 5": a counted noun earlier in the same clause owns the number
    clause = _CLAUSE.split(text[: m.start()])[-1]
    return not set(_WORDS.findall(clause)) & words("reading_numbers.yaml", "count_distractors")


def _bare(text: str, expecting: str, r: Rooms) -> None:
    if (expecting == "beds" and r.beds is not None) or (
        expecting == "baths" and r.baths is not None
    ):
        return
    used = r.spans
    for m in _BARE.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in used):
            continue
        if not _bare_ok(text, m):
            return  # "3 kids 8, 10 and 12": after one counted thing the rest are suspect too
        value = _low(m.group("a"), m.group("b"))
        if expecting == "beds":
            _set_beds(r, value, m.span())
        else:
            _set_baths(r, value, m.span())
        return


def find_rooms(text: str, expecting: str | None) -> Rooms:
    """Beds and baths stated in normalised ``text``; a bare count only when ``expecting`` it."""
    r = Rooms()
    _explicit(text, r)
    _slash(text, r)
    if r.beds is None:
        m = _STUDIO.search(text)
        if m and (m.group(0) == "studio" or expecting == "beds" or _ROOMS_CONTEXT.search(text)):
            _set_beds(r, 0, m.span())
    if expecting in ("beds", "baths"):
        _bare(text, expecting, r)
    return r
