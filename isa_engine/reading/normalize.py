"""Normalise a text for the reader: lower case, plain ASCII punctuation, number words as digits.

Every character of the normalised text remembers the span of the original text it came from,
so spans found by other finders (places, times) can be masked out and ours mapped back.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from isa_engine.reading import spanish
from isa_engine.reading.lexicon import load

Span = tuple[int, int]

# Punctuation that phones substitute for the ASCII one.
_CHAR_MAP = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201b": "'",
    "\u00b4": "'",
    "`": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2044": "/",
    "\u00a0": " ",
}
# Apostrophes are dropped ("don't" -> "dont") so patterns need one spelling; joiners and
# variation selectors are dropped so an emoji compares equal however the phone composed it.
_DROP = frozenset("'\u200d\ufe0e\ufe0f\u200b") | frozenset(chr(c) for c in range(0x1F3FB, 0x1F400))

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_FIRST = "|".join(sorted([*_UNITS, *_TENS], key=len, reverse=True))
_WORD = f"{_FIRST}|hundred"
_NUMBER_WORDS = re.compile(
    rf"\b(?:{_FIRST})(?:(?:(?<=hundred)\s+and\s+|[\s-]+)(?:{_WORD})\b)*"
    r"(?:\s+and\s+a\s+half\b)?\b"
)
_DIGIT_HALF = re.compile(r"(?<![\d./])(\d+)(?:\s+and\s+a\s+half\b|\s*-?\s*1/2(?![\d/]))")
_HALF_MIL = re.compile(
    r"\b(?:a\s+)?half\s+(?:a\s+)?(mil|million)\b|(?<![\d.]\s)\ba\s+(mil|million)\b"
)
# "one" is the number 1 only in a counting context ("one bedroom", "just one"); "the one on
# elm", "no one", "dont have one" are pronouns.
_ONE_NOT_BEFORE = re.compile(
    r"\b(?:the|that|this|no|any|which|every|each|some|another|other|a|last|new|right|have|got"
    r"|found|pick|picked|chose|chosen|with|hired|use|using|get|find|want|like|love|see|saw)\s*$"
)
_ONE_BEFORE = re.compile(r"\b(?:just|only|least|maybe|probably|prob|about|around|need)\s*$")
_ONE_AFTER = re.compile(
    r"^\s*(?:$|[-+.!,/]|bed|bd|br|bath|ba|full|half|(?:or|to|is|would|should|will|mil|million"
    r"|hundred|thousand|story|car|level|floor|and)\b)"
)


@dataclass(frozen=True, slots=True)
class Normalized:
    """The normalised text and, per character, the original span it came from."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def to_original(self, span: Span) -> Span:
        """Map a span of the normalised text back to the original text."""
        s, e = span
        if s >= e or not self.text:
            return (0, 0)
        return (self.starts[s], self.ends[e - 1])

    def from_original(self, span: Span) -> Span:
        """Map a span of the original text to the normalised text."""
        return (bisect_left(self.starts, span[0]), bisect_left(self.starts, span[1]))

    def masked(self, base: str, spans: Iterable[Span]) -> str:
        """``base`` (same length as ``text``) with every char from an original ``span`` blanked."""
        for s, e in spans:
            # starts and ends never decrease, so the overlapping chars are one run.
            lo, hi = bisect_right(self.ends, s), bisect_left(self.starts, e)
            if lo < hi:
                base = base[:lo] + " " * (hi - lo) + base[hi:]
        return base


def blank(text: str, spans: Iterable[Span]) -> str:
    """``text`` with each (normalised) span replaced by spaces of the same length."""
    for s, e in spans:
        text = text[:s] + " " * (e - s) + text[e:]
    return text


@cache
def _emoji_words() -> dict[str, str]:
    data = load("reading_answers.yaml")
    out: dict[str, str] = {}
    for word, key in (("yes", "yes_emoji"), ("no", "no_emoji")):
        for e in data.get(key, []):
            out["".join(c for c in str(e) if c not in _DROP)] = f" {word} "
    return out


def _char(c: str) -> str:
    if c.isascii():
        return c.lower()
    c = _CHAR_MAP.get(c, c)
    emoji = _emoji_words()
    if c in emoji:
        return emoji[c]
    # NFKD splits accents off ("más" -> "mas") and undoes compatibility forms ("ＳＴＯＰ").
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", c.lower()) if not unicodedata.combining(ch)
    )


def _chars(text: str) -> tuple[str, list[int], list[int]]:
    if text.isascii():
        # The common case, kept fast: only apostrophes and backticks are dropped.
        if "'" not in text and "`" not in text:
            return text.lower(), list(range(len(text))), list(range(1, len(text) + 1))
        keep = [i for i, c in enumerate(text) if c not in "'`"]
        return "".join(text[i] for i in keep).lower(), keep, [i + 1 for i in keep]
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, c in enumerate(text):
        if c in _DROP:
            continue
        for d in _char(c):
            if d in _DROP:
                continue
            out.append(d)
            starts.append(i)
            ends.append(i + 1)
    return "".join(out), starts, ends


def _rewrite(
    norm: tuple[str, list[int], list[int]],
    pattern: re.Pattern[str],
    repl: Callable[[re.Match[str]], str | None],
) -> tuple[str, list[int], list[int]]:
    """Apply ``repl`` to each match, keeping the span map; ``None`` keeps the match as it is."""
    text, starts, ends = norm
    out: list[str] = []
    ns: list[int] = []
    ne: list[int] = []
    last = 0
    for m in pattern.finditer(text):
        new = repl(m)
        if new is None:
            continue
        s, e = m.span()
        out.append(text[last:s])
        ns.extend(starts[last:s])
        ne.extend(ends[last:s])
        out.append(new)
        ns.extend([starts[s]] * len(new))
        ne.extend([ends[e - 1]] * len(new))
        last = e
    if last == 0:
        return norm
    out.append(text[last:])
    ns.extend(starts[last:])
    ne.extend(ends[last:])
    return "".join(out), ns, ne


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def words_value(words: list[str]) -> int | None:
    """The integer that a run of number words spells, or None when it is not one number."""
    total, cur, prev = 0, 0, ""
    for w in words:
        if w == "and":
            continue
        if w == "hundred":
            cur = (cur or 1) * 100
        else:
            v = _UNITS.get(w, _TENS.get(w, 0))
            if prev in _TENS and v < 10 and cur % 10 == 0:
                cur += v
            elif prev and prev != "hundred" and 0 < cur < 10 and v >= 10:
                cur = cur * 100 + v  # "four fifty" -> 450, as prices are said aloud
            elif prev and prev != "hundred":
                return None
            else:
                cur += v
        prev = w
    return total + cur


def _number_words(m: re.Match[str]) -> str | None:
    text = m.group(0)
    half = text.endswith("half")
    if half:
        text = text[: text.rindex(" and")]
    words = re.findall(r"[a-z]+", text)
    if words == ["one"] and not half:
        before = m.string[max(0, m.start() - 12) : m.start()]
        after = m.string[m.end() : m.end() + 10]
        if _ONE_NOT_BEFORE.search(before) or not (
            _ONE_BEFORE.search(before) or _ONE_AFTER.match(after)
        ):
            return None
    value = words_value(words)
    if value is None:
        return " ".join(_fmt(_UNITS[w]) if w in _UNITS else str(_TENS.get(w, w)) for w in words)
    return _fmt(value + 0.5) if half else _fmt(value)


def _half_mil(m: re.Match[str]) -> str:
    return "0.5 mil" if m.group(1) else "1 mil"


def normalize(text: str) -> Normalized:
    """Lower-case ``text``, make its punctuation ASCII, and write number words as digits."""
    norm = _chars(text)
    norm = spanish.apply(norm, lambda n: n[0], _rewrite)
    norm = _rewrite(norm, _NUMBER_WORDS, _number_words)
    if "/" in norm[0] or " and a half" in norm[0]:
        norm = _rewrite(norm, _DIGIT_HALF, lambda m: f"{m.group(1)}.5")
    if "mil" in norm[0]:
        norm = _rewrite(norm, _HALF_MIL, _half_mil)
    t, s, e = norm
    return Normalized(t, tuple(s), tuple(e))
