"""The persona guard: every outbound text passes ``check`` before it may be sent.

The assistant speaks as the agent's assistant, never as the agent, never as a
licensed professional or a person, names the agent by first name only, and
gives no advice on price, the market, financing, contracts or neighbourhoods
(COMPLIANCE.md #14, #15). The rules are data: ``isa_engine/data/persona.yaml``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Literal

from isa_engine import packaged

DATA_FILE = "persona.yaml"
Scope = Literal["identity", "advice"]
_SCOPES: tuple[Scope, ...] = ("identity", "advice")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# Apostrophes people and phones type; rules are written with the plain one.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'"})
# Invisible characters that may sit inside a name without breaking it up.
_INVISIBLE = "[\u00ad\u200b-\u200d\u2060\ufeff]*"
_SNIPPET_MAX = 60
# The agent's names that checks and authors' validation fill in (lower case, as matched):
# long and rare, so no template can contain them by chance.
SAMPLE_FIRST = "alexandria"
SAMPLE_LAST = "zzyzxquartermaine"
_SPACES = re.compile(r"\s{2,}")
_ESCAPE = re.compile(r"\\.")


@dataclass(frozen=True, slots=True)
class Verdict:
    """The guard's answer: ``ok`` when the text may go; otherwise ``reasons`` say why."""

    ok: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Rule:
    id: str
    scope: Scope
    reason: str
    patterns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _RuleSet:
    macros: Mapping[str, str]
    deflections: tuple[str, ...]
    rules: tuple[_Rule, ...]


@dataclass(frozen=True, slots=True)
class _Compiled:
    deflection: re.Pattern[str] | None
    identity: tuple[tuple[_Rule, re.Pattern[str]], ...]
    advice: tuple[tuple[_Rule, re.Pattern[str]], ...]


@lru_cache(maxsize=8192)
def check(text: str, agent_first: str, agent_last: str | None = None) -> Verdict:
    """Whether ``text`` may go out for the agent ``agent_first`` (``agent_last``), and why not.

    Verdicts are cached: scripted texts repeat, so each distinct text pays the
    regular expressions (a few hundred µs) once.
    """
    last = (agent_last or "").strip()
    compiled = _compile(_normalise(agent_first.strip()).lower(), _normalise(last).lower())
    shown = _normalise(text)
    # Patterns are lower case and run on lowered text: re.IGNORECASE is twice as slow.
    lowered = shown.lower()
    if len(lowered) != len(shown):
        shown = lowered  # lower() changed a length: show snippets lowered
    reasons = [
        _reason(rule, match, shown, last)
        for rule, pattern in compiled.identity
        if (match := pattern.search(lowered))
    ]
    if compiled.deflection is not None:
        # Blank out referrals to the agent so "Dana can go over prices" is not advice.
        lowered = compiled.deflection.sub(lambda m: " " * len(m.group()), lowered)
    reasons += [
        _reason(rule, match, shown, last)
        for rule, pattern in compiled.advice
        if (match := pattern.search(lowered))
    ]
    return Verdict(ok=not reasons, reasons=tuple(reasons))


def _normalise(text: str) -> str:
    # NFD, not NFKC: decomposing keeps word boundaries where the corpus scorer sees
    # them ("Daná" still contains the word "Dana"), and makes a precomposed and a
    # decomposed accent alike; compatibility folding could hide what the scorer flags.
    text = unicodedata.normalize("NFD", text).translate(_APOSTROPHES)
    # One space (or newline) per run: patterns' \s* and \s+ stay linear on long runs.
    return _SPACES.sub(lambda m: "\n" if "\n" in m.group() else " ", text)


def _reason(rule: _Rule, match: re.Match[str], shown: str, last: str) -> str:
    snippet = " ".join(shown[match.start() : match.end()].split())
    if len(snippet) > _SNIPPET_MAX:
        snippet = snippet[: _SNIPPET_MAX - 1] + "…"
    return rule.reason.format(match=snippet, last=last)


def _name_pattern(name: str) -> str:
    """A (lower-cased) name as a whole word, tolerating invisible characters inside it."""
    words = [_INVISIBLE.join(re.escape(c) for c in word) for word in name.split()]
    return r"(?<!\w)(?:" + r"\s+".join(words) + r")(?!\w)"


@lru_cache(maxsize=512)
def _compile(first: str, last: str) -> _Compiled:
    """Every rule compiled for one agent; cached, so a text costs only the searches."""
    return _compile_set(_rules(), first, last)


def _compile_set(data: _RuleSet, first: str, last: str) -> _Compiled:
    names = {"first": _name_pattern(first) if first else None}
    names["last"] = _name_pattern(last) if last else None

    def expand(pattern: str) -> str | None:
        missing = False

        def fill(m: re.Match[str]) -> str:
            nonlocal missing
            key = m.group(1)
            if key in names:
                value = names[key]
                missing = missing or value is None
                return value or ""
            return data.macros.get(key, m.group())

        out = _PLACEHOLDER.sub(fill, pattern)
        return None if missing else out

    def union(patterns: Sequence[str]) -> re.Pattern[str] | None:
        kept = [p for p in map(expand, patterns) if p is not None]
        return _regex("|".join(f"(?:{p})" for p in kept)) if kept else None

    by_scope: dict[Scope, list[tuple[_Rule, re.Pattern[str]]]] = {s: [] for s in _SCOPES}
    for rule in data.rules:
        pattern = union(rule.patterns)
        if pattern is not None:
            by_scope[rule.scope].append((rule, pattern))
    return _Compiled(
        union(data.deflections), tuple(by_scope["identity"]), tuple(by_scope["advice"])
    )


@lru_cache(maxsize=256)
def _regex(source: str) -> re.Pattern[str]:
    """Compiled once per source: rules that name nobody are shared by every agent."""
    return re.compile(source)


@cache
def _rules() -> _RuleSet:
    """The packaged rules, loaded and checked once."""
    return parse_rules(packaged.yaml_document(DATA_FILE), DATA_FILE)


def parse_rules(doc: Any, source: str) -> _RuleSet:
    """Validate a persona rules document; raise ValueError naming what is wrong and where."""

    def fail(where: str, what: str) -> ValueError:
        return ValueError(f"{source}: {where}: {what}")

    if not isinstance(doc, dict):
        raise fail("top level", "expected a mapping with macros, deflections and rules")
    macros = doc.get("macros") or {}
    if not isinstance(macros, dict) or not all(isinstance(v, str) for v in macros.values()):
        raise fail("macros", "expected a mapping of name to regular expression")
    raw_deflections = doc.get("deflections")
    deflections = _strings(raw_deflections, f"{source}: deflections") if raw_deflections else ()
    rules = []
    raw_rules = doc.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise fail("rules", "expected a non-empty list")
    for i, raw in enumerate(raw_rules):
        where = f"rules[{i}]"
        if not isinstance(raw, dict):
            raise fail(where, "expected a mapping with id, scope, reason and patterns")
        rid, scope, reason = raw.get("id"), raw.get("scope"), raw.get("reason")
        if not isinstance(rid, str) or scope not in _SCOPES or not isinstance(reason, str):
            raise fail(where, f"needs an id, a reason and a scope ({' or '.join(_SCOPES)})")
        try:
            reason.format(match="m", last="l")
        except (KeyError, IndexError, ValueError) as e:
            raise fail(
                f"{where} ({rid})", f"reason may use only {{match}} and {{last}}: {e}"
            ) from e
        patterns = _strings(raw.get("patterns"), f"{source}: {where} ({rid}): patterns")
        rules.append(_Rule(rid, scope, reason, patterns))
    rule_set = _RuleSet(macros, deflections, tuple(rules))
    _check_compiles(rule_set, source)
    return rule_set


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: expected a non-empty list of strings")
    return tuple(value)


def _check_compiles(rule_set: _RuleSet, source: str) -> None:
    """Compile every rule with sample names so a typo fails at load, not at send time.

    The rules are compiled as the guard uses them (one pattern a rule), and those that
    name no agent are kept for every agent (``_regex``): checking costs no second
    compilation. Only when one fails are its patterns compiled alone, to name it.
    """
    names = {"first", "last", *rule_set.macros}
    items = [("deflections", p) for p in rule_set.deflections]
    items += [(f"rule {r.id}", p) for r in rule_set.rules for p in r.patterns]
    for where, pattern in items:
        if any(c.isupper() for c in _ESCAPE.sub("", pattern)):
            raise ValueError(f"{source}: {where}: write patterns in lower case: {pattern}")
        unknown = set(_PLACEHOLDER.findall(pattern)) - names
        if unknown:
            raise ValueError(f"{source}: {where}: unknown placeholder {sorted(unknown)}")
    try:
        _compile_set(rule_set, SAMPLE_FIRST, SAMPLE_LAST)
    except re.error as together:
        fill = {"first": _name_pattern(SAMPLE_FIRST), "last": _name_pattern(SAMPLE_LAST)}
        fill.update(rule_set.macros)
        for where, pattern in items:
            try:
                re.compile(_PLACEHOLDER.sub(lambda m: fill[m.group(1)], pattern))
            except re.error as e:
                raise ValueError(
                    f"{source}: {where}: pattern does not compile ({e}): {pattern}"
                ) from e
        # each compiles alone: a macro opens what another closes
        raise ValueError(f"{source}: the rules do not compile together: {together}") from None
