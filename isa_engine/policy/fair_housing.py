"""Fair Housing lint for outbound templates (COMPLIANCE.md #16).

``lint`` reports banned phrases ("family-friendly", "safe neighborhood"…) and
questions about a protected trait ("do you have kids?"). The lists are data:
``isa_engine/data/fair_housing.yaml``. It lints what we send, not what leads say.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from isa_engine import packaged

DATA_FILE = "fair_housing.yaml"
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'"})
_ESCAPE = re.compile(r"\\.")
_LEADING = r"(?<!\w)"  # a phrase starts a word
_WORD_GAP = r"[\s\-\u2010-\u2014]+"  # "family friendly" also matches "family-friendly"


@dataclass(frozen=True, slots=True)
class _Check:
    kind: str  # "phrase" or "question"
    trait: str
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class _Group:
    kind: str
    trait: str
    parts: tuple[str, ...]
    where: str


def lint(text: str) -> list[str]:
    """Every Fair Housing problem in ``text``, in the order they appear; empty when fine."""
    shown = unicodedata.normalize("NFC", text).translate(_APOSTROPHES)
    # Patterns are lower case and run on lowered text: re.IGNORECASE is much slower.
    lowered = shown.lower()
    if not _prefilter().search(lowered):
        return []  # nearly every text: one scan, and the exact patterns never compiled
    if len(lowered) != len(shown):
        shown = lowered  # lower() changed a length: quote the lowered text
    found: list[tuple[int, str]] = []
    for check in _checks():
        for match in check.pattern.finditer(lowered):
            said = " ".join(shown[match.start() : match.end()].split())
            if check.kind == "phrase":
                problem = f'banned phrase "{said}" ({check.trait})'
            else:
                problem = f'asks about a protected trait ({check.trait}): "{said}"'
            found.append((match.start(), problem))
    found.sort(key=lambda item: item[0])
    return list(dict.fromkeys(problem for _, problem in found))


@cache
def _groups_shipped() -> tuple[_Group, ...]:
    """The packaged lists, checked (not compiled) once."""
    return _parse(packaged.yaml_document(DATA_FILE), DATA_FILE)


@cache
def _checks() -> tuple[_Check, ...]:
    """The packaged lists, compiled once: only when a text passes the prefilter."""
    return tuple(_Check(g.kind, g.trait, _compile(g.parts, g.where)) for g in _groups_shipped())


@cache
def _prefilter() -> re.Pattern[str]:
    r"""Every pattern in one, without the leading ``(?<!\w)`` of each.

    Dropping an assertion at the start of an alternative only lets it match more, so a
    text this misses matches no check; without the look-behind first, ``re`` can skip
    ahead to the letters an alternative starts with, which makes the scan about six
    times faster than the checks' own patterns.
    """
    parts = [p.removeprefix(_LEADING) for g in _groups_shipped() for p in g.parts]
    return _compile(parts, f"{DATA_FILE}: all patterns")


def parse_checks(doc: Any, source: str) -> tuple[_Check, ...]:
    """Validate and compile a Fair Housing document; ValueError says what is wrong and where."""
    return tuple(_Check(g.kind, g.trait, _compile(g.parts, g.where)) for g in _parse(doc, source))


def _parse(doc: Any, source: str) -> tuple[_Group, ...]:
    if not isinstance(doc, dict):
        raise ValueError(f"{source}: expected a mapping with phrases and questions")
    variants = doc.get("variants") or {}
    if not isinstance(variants, dict):
        raise ValueError(f"{source}: variants: expected a mapping of word to regular expression")
    groups: list[_Group] = []
    for i, group in enumerate(_groups(doc, "phrases", source)):
        where = f"{source}: phrases[{i}]"
        parts = [_phrase(item, variants) for item in _strings(group, "items", where)]
        parts += _strings(group, "patterns", where, required=False)
        groups.append(_Group("phrase", group["trait"], tuple(_lower_case(parts, where)), where))
    for i, group in enumerate(_groups(doc, "questions", source)):
        where = f"{source}: questions[{i}]"
        parts = _strings(group, "patterns", where)
        groups.append(_Group("question", group["trait"], tuple(_lower_case(parts, where)), where))
    return tuple(groups)


def _phrase(item: str, variants: Mapping[str, str]) -> str:
    words = [variants.get(w.lower(), re.escape(w.lower())) for w in re.split(r"[\s-]+", item)]
    return _LEADING + _WORD_GAP.join(words) + r"(?!\w)"


def _groups(doc: Mapping[str, Any], key: str, source: str) -> list[dict[str, Any]]:
    groups = doc.get(key)
    if not isinstance(groups, list) or not all(
        isinstance(g, dict) and isinstance(g.get("trait"), str) for g in groups
    ):
        raise ValueError(f"{source}: {key}: expected a list of groups, each with a trait")
    return groups


def _strings(group: Mapping[str, Any], key: str, where: str, required: bool = True) -> list[str]:
    value = group.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: {key}: expected a non-empty list of strings")
    return value


def _lower_case(parts: list[str], where: str) -> list[str]:
    for part in parts:
        if any(c.isupper() for c in _ESCAPE.sub("", part)):
            raise ValueError(f"{where}: write patterns in lower case: {part}")
    return parts


def _compile(parts: Sequence[str], where: str) -> re.Pattern[str]:
    try:
        return re.compile("|".join(f"(?:{p})" for p in parts))
    except re.error as e:
        raise ValueError(f"{where}: a pattern does not compile: {e}") from e
