"""The reader's word lists, kept as YAML under ``isa_engine/data`` so product people can tune them.

Each file is read once, on first use. A phrase entry is a regular expression matched against the
normalised text (lower case, no apostrophes, number words as digits) at word boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from isa_engine import packaged
from isa_engine.reading.alternation import dispatch


@cache
def load(name: str) -> Mapping[str, Any]:
    """The parsed YAML mapping in ``isa_engine/data/<name>`` (cached after the first read)."""
    data = packaged.yaml_document(name)
    if not isinstance(data, dict):
        raise ValueError(f"{name}: expected a mapping at the top level")
    return data


@cache
def words(name: str, key: str) -> frozenset[str]:
    """The entries of list ``key`` in ``name`` as a set of lower-case strings."""
    return frozenset(str(w).lower().replace("'", "") for w in _list(name, key))


@cache
def phrases(name: str, key: str) -> re.Pattern[str]:
    """One compiled pattern matching any entry of list ``key`` in ``name`` at word boundaries."""
    return _compile([str(p) for p in _list(name, key)])


@cache
def union(name: str, keys: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern matching any entry of any list in ``keys``: a cheap test before the detail."""
    return _compile([str(p) for key in keys for p in _list(name, key)])


def _compile(items: list[str]) -> re.Pattern[str]:
    if not items:
        return re.compile(r"(?!x)x")  # matches nothing
    # Boundaries by lookaround rather than \b so entries may start or end with "+", "$" or "~".
    # ``dispatch`` gathers the entries by their first character: the same matches, faster.
    return re.compile(rf"(?<![a-z0-9])(?:{dispatch(items)})(?![a-z0-9])")


def plain(items: list[str]) -> re.Pattern[str]:
    """The union of ``items`` as written, without ``dispatch``: what ``_compile`` must equal."""
    body = "|".join(f"(?:{p})" for p in items) or r"(?!x)x"
    return re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])")


def _list(name: str, key: str) -> list[Any]:
    value = load(name).get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{name}: {key} must be a list of strings (quote yes / no / on / off)")
    return value
