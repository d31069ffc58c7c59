"""Cheap tests that let a finder skip a costly pattern on a text it cannot match.

``hint(pattern)`` reads the pattern and finds words one of which every match must contain
("tomorrow" or "today" or a weekday...); a text holding none of them cannot match, and one
search for those plain words costs a fraction of the pattern's. It is computed from the
pattern itself, so the two cannot drift apart. A pattern with no such words gets a hint that
always passes.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

# The parser behind re.compile: private, so where it is missing the hints are off.
try:
    _c: Any = importlib.import_module("re._constants")
    _parser: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover
    _parser = None

_ALWAYS = re.compile("")

Words = frozenset[str]


@cache
def hint(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """A pattern that finds something in every text ``pattern`` can match (and in others)."""
    words = required(pattern)
    if not words:
        return _ALWAYS
    by_first: dict[str, list[str]] = {}
    for w in sorted(words):
        by_first.setdefault(w[0], []).append(re.escape(w[1:]))
    return re.compile("|".join(f"{re.escape(c)}(?:{'|'.join(r)})" for c, r in by_first.items()))


def required(pattern: re.Pattern[str]) -> Words | None:
    """Strings one of which is in every match of ``pattern``; None when none was found."""
    if _parser is None or pattern.flags & re.IGNORECASE:
        return None
    try:
        return _sequence(list(_parser.parse(pattern.pattern, pattern.flags)))
    except Exception:  # an unexpected parse only turns the hint off
        return None


def _sequence(items: list[tuple[Any, Any]]) -> Words | None:
    """The best choice for a sequence: each item's strings are in every match of it, and a run
    of plain characters is one string."""
    choices: list[Words] = []
    run = ""
    for op, av in items:
        if op is _c.LITERAL:
            run += chr(av)
            continue
        if run:
            choices.append(frozenset([run]))
            run = ""
        found = _item(op, av)
        if found:
            choices.append(found)
    if run:
        choices.append(frozenset([run]))
    if not choices:
        return None
    # The longest shortest string makes the rarest test; then the fewest strings.
    return max(choices, key=lambda s: (min(map(len, s)), -len(s)))


def _item(op: Any, av: Any) -> Words | None:
    if op is _c.SUBPATTERN:
        _group, add, delete, sub = av
        return None if (add | delete) & re.IGNORECASE else _sequence(list(sub))
    if op is _c.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            words = _sequence(list(alt))
            if words is None:
                return None  # one alternative needs no string: the choice holds nothing
            out |= words
        return frozenset(out)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        least, _most, sub = av
        return _sequence(list(sub)) if least >= 1 else None
    if op is _c.ATOMIC_GROUP:
        return _sequence(list(av))
    return None  # a class, a lookaround, an anchor: no string required


class Guarded:
    """A compiled pattern that asks its hint first: no hint, no search."""

    __slots__ = ("pattern", "quick")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.quick = hint(pattern)

    def search(self, text: str) -> re.Match[str] | None:
        """``pattern.search(text)``, None at once when the hint finds nothing."""
        return self.pattern.search(text) if self.quick.search(text) else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """``pattern.finditer(text)``, nothing at once when the hint finds nothing."""
        return self.pattern.finditer(text) if self.quick.search(text) else iter(())


class Union:
    """The union ``(?:p1)|(?:p2)|…`` of compiled patterns, each left out of a search when its
    hint finds nothing: a part that cannot match anywhere in the text never decides a match of
    the union, so the matches are the same."""

    __slots__ = ("hints", "parts", "variants")

    def __init__(self, *parts: re.Pattern[str]) -> None:
        self.parts = parts
        self.hints = tuple(hint(p) for p in parts)
        self.variants: dict[tuple[int, ...], re.Pattern[str]] = {}

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """``finditer`` of the union over ``text``."""
        key = tuple(i for i, quick in enumerate(self.hints) if quick.search(text))
        if not key:
            return iter(())
        pattern = self.variants.get(key)
        if pattern is None:
            body = "|".join(f"(?:{self.parts[i].pattern})" for i in key)
            pattern = self.variants[key] = re.compile(body, self.parts[0].flags)
        return pattern.finditer(text)
