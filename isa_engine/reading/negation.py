"""Corrections and negations: what the lead takes back before the slots are read.

"I meant 375 not 357", "not Kyle, I said Buda", "stop sending 2-bed places, we need 3": a negated
value is blanked from the text (numbers, months, seasons, refused times) so the finders read only
what the lead now says; a negated place is dropped after the places are found. Word lists live
in ``data/reading_corrections.yaml``.
"""

from __future__ import annotations

import re
from functools import cache

from isa_engine.reading.lexicon import load, words

_C = "reading_corrections.yaml"
Span = tuple[int, int]

_CLAUSE = re.compile(r"[,.;!?\n]|\s-\s|\bbut\b|\band\b|\bor\b")
_WORD = re.compile(r"[a-z]+")
_NUMBER = r"\$?\d+(?:[.,]\d+)?"
_TIME = r"\d{1,2}(?::\d\d)?\s*(?:[ap]\.?m\.?)?"


@cache
def _items() -> re.Pattern[str]:
    cues = "|".join(f"(?:{c})" for c in load(_C)["item_cues"])
    unit, cal = str(load(_C)["item_units"]), str(load(_C)["calendar_items"])
    return re.compile(
        rf"(?<![a-z0-9])(?:{cues})\s+(?P<between>(?:[a-z]+\s+){{0,2}}?)"
        rf"(?P<item>(?:{_NUMBER}){unit}(?:\s*s\b)?|{cal})"
    )


@cache
def _refused() -> re.Pattern[str]:
    return re.compile(rf"(?:the\s+)?(?P<item>{_TIME})(?={load(_C)['refused_after']})")


def negated_items(norm: str) -> list[Span]:
    """Spans of the normalised text holding values the lead takes back."""
    if not any(map(str.isdigit, norm)) and not _items().search(norm):
        return []
    spans: list[Span] = []
    for m in _items().finditer(norm):
        between = _WORD.findall(m.group("between"))
        if any(w in words(_C, "bound_words") for w in between):
            continue  # "not over 400k" is a bound, "not too far" no value
        spans.append(m.span("item"))
    for m in _refused().finditer(norm):
        spans.append(m.span("item"))
    return spans


@cache
def _place_cue() -> re.Pattern[str]:
    cues = "|".join(f"(?:{c})" for c in load(_C)["place_cues"])
    return re.compile(rf"(?<![a-z0-9])(?:{cues})\s+(?P<between>(?:[a-z]+\s+){{0,2}})$")


def place_negated(low: str, span: Span) -> bool:
    """True when the place at ``span`` of the lower-cased text is taken back or excluded."""
    start = max((m.end() for m in _CLAUSE.finditer(low, 0, span[0])), default=0)
    m = _place_cue().search(low[start : span[0]])
    if m is not None:
        between = _WORD.findall(m.group("between"))
        if not any(w in words(_C, "place_cue_breakers") for w in between):
            return True
    return bool(re.match(str(load(_C)["place_after"]), low[span[1] :]))


def corrects(norm: str) -> bool:
    """True when a text opening with "no" goes on to correct what was said."""
    return bool(re.match(str(load(_C)["no_then_correction"]), norm))


def not_place_words() -> frozenset[str]:
    """Words that never name a place, however capitalised."""
    return words(_C, "not_place_words")


__all__ = ["corrects", "negated_items", "not_place_words", "place_negated"]
