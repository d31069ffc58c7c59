"""Quiet hours and caps as data: ``rules/*.yaml`` parsed into typed, checked rules.

A **window** says when texts may go, day by day, on the recipient's own clock:
without ``states`` it applies everywhere (the federal 8:00–21:00); with them,
whenever the recipient may be in one of those states. A **cap** allows at most
``texts`` texts to one contact in any rolling ``per``. The core parses text
given to it (``parse_rules``); reading the files is the adapters' job. A bad
file is refused like a script, every problem as ``file:line:col: what``::

    windows:
      - id: TX
        states: [TX]
        hours: {mon-sat: "09:00-21:00", sun: "12:00-21:00"}
    caps:
      - {id: FL, states: [FL], texts: 3, per: 24h}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import cache, lru_cache
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainValidator, ValidationError

from isa_engine import us_data
from isa_engine.errors import ScriptError, ScriptErrors
from isa_engine.located_yaml import Located, load_located, located_error
from isa_engine.script import Duration

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekdays as rules files name them, Monday first (``datetime.weekday()`` order)."""

MAX_CAP_PERIOD = timedelta(days=7)
# A state's window, with every nationwide one, must leave this much time on some day.
MIN_OPEN_MINUTES = 60
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")
_ID = r"^[A-Za-z][A-Za-z0-9_-]*$"
_EVERY_DAY = ("daily", "every day", "mon-sun")


@dataclass(frozen=True, slots=True)
class Hours:
    """When texts may go on one day: ``start`` <= minute of the day < ``end``."""

    start: int
    end: int

    def __str__(self) -> str:
        return f"{_hhmm(self.start)}–{_hhmm(self.end)}"

    def __and__(self, other: Hours) -> Hours | None:
        start, end = max(self.start, other.start), min(self.end, other.end)
        return Hours(start, end) if start < end else None


Week = tuple[Hours | None, ...]
"""Seven days' hours, Monday first; ``None`` is a day on which no text may go."""


@dataclass(frozen=True, slots=True)
class Window:
    """One rule's sending hours on the recipient's clock (``states`` None: everywhere)."""

    id: str
    states: frozenset[str] | None
    week: Week
    source: str = ""

    def applies(self, states: frozenset[str]) -> bool:
        """Whether the rule binds a recipient who may be in any of ``states``."""
        return self.states is None or not self.states.isdisjoint(states)

    def where(self, states: frozenset[str]) -> str:
        """How a reason names the rule: the recipient's state it binds, or the rule's id."""
        return _where(self.id, self.states, states)


@dataclass(frozen=True, slots=True)
class Cap:
    """At most ``texts`` texts to one contact in any rolling ``per`` (``states`` None: all)."""

    id: str
    states: frozenset[str] | None
    texts: int
    per: timedelta
    source: str = ""

    def applies(self, states: frozenset[str]) -> bool:
        """Whether the cap binds a recipient who may be in any of ``states``."""
        return self.states is None or not self.states.isdisjoint(states)

    def where(self, states: frozenset[str]) -> str:
        """How a reason names the cap: the recipient's state it binds, or the cap's id."""
        return _where(self.id, self.states, states)


@dataclass(frozen=True, eq=False)
class Rules:
    """Every window and cap in force. Compared by identity, so it is a cheap cache key.

    ``override`` names the file (``file:line:col``) of a ``dev_override: {quiet_hours:
    ignored}``: for trying the product at any hour on the simulated phone only. The windows
    stay as they are, so every text can still say which one it broke; ``sending()`` gives
    the rules a send obeys then.
    """

    windows: tuple[Window, ...] = ()
    caps: tuple[Cap, ...] = ()
    override: str | None = None

    def sending(self) -> Rules:
        """The rules a send obeys: these, or under an override every hour open (caps kept)."""
        if self.override is None:
            return self
        return _open_every_hour(self)


def _where(rule_id: str, bound: frozenset[str] | None, states: frozenset[str]) -> str:
    if bound is None:
        return rule_id
    return "/".join(sorted(bound & states)) or rule_id


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@cache
def known_states() -> frozenset[str]:
    """Two-letter codes of the US states, DC and the territories."""
    return frozenset(code for code, _name in us_data.states())


def _state(value: str) -> str:
    code = value.strip().upper()
    if code not in known_states():
        raise ValueError(f"unknown state {value!r}: use a two-letter code such as FL or TX")
    return code


def _hours(value: Any) -> Hours | None:
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 8:00 as a number (480)
        raise ValueError('write hours in quotes, as "08:00-21:00"')
    if not isinstance(value, str):
        raise ValueError('hours are "HH:MM-HH:MM" or "closed"')
    if value.strip().lower() == "closed":
        return None
    m = _RANGE.match(value)
    if not m:
        raise ValueError(f'{value!r} is not hours: write "HH:MM-HH:MM" or "closed"')
    h1, m1, h2, m2 = map(int, m.groups())
    if m1 > 59 or m2 > 59 or h1 > 23 or h2 > 24 or (h2 == 24 and m2):
        raise ValueError(f"{value!r} is not a time of day (00:00 to 24:00)")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if start >= end:
        raise ValueError(f"{value!r} ends before it starts; a window cannot cross midnight")
    return Hours(start, end)


State = Annotated[str, AfterValidator(_state)]
HoursValue = Annotated[Hours | None, PlainValidator(_hours)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _WindowDoc(_Strict):
    id: str = Field(pattern=_ID)
    states: tuple[State, ...] | None = Field(default=None, min_length=1)
    hours: dict[str, HoursValue] = Field(min_length=1)


class _CapDoc(_Strict):
    id: str = Field(pattern=_ID)
    states: tuple[State, ...] | None = Field(default=None, min_length=1)
    texts: int = Field(ge=1, strict=True)
    per: Duration


class _OverrideDoc(_Strict):
    quiet_hours: Literal["ignored"]


class _RulesDoc(_Strict):
    windows: tuple[_WindowDoc, ...] = ()
    caps: tuple[_CapDoc, ...] = ()
    dev_override: _OverrideDoc | None = None


@lru_cache(maxsize=8)
def _open_every_hour(rules: Rules) -> Rules:
    always = Window("override", None, (Hours(0, 24 * 60),) * 7, rules.override or "")
    return Rules((always,), rules.caps)


def parse_rules(files: Iterable[tuple[str, str]]) -> Rules:
    """Validate rules files, given as ``(text, source)`` pairs, and combine them.

    Raises ScriptErrors listing every problem in every file, each located.
    """
    windows: list[tuple[Window, Located, int]] = []
    caps: list[Cap] = []
    override: str | None = None
    errors: list[ScriptError] = []
    ids: dict[tuple[str, str], str] = {}
    for text, source in files:
        try:
            shape, doc = _shape(text, source)
        except ScriptErrors as e:
            errors += e.errors
            continue
        for i, raw in enumerate(shape.windows):
            week = _week(raw.hours, ("windows", i, "hours"), doc, errors)
            errors += _duplicate(ids, "windows", raw.id, i, doc)
            if week is not None:
                windows.append((Window(raw.id, _states(raw.states), week, source), doc, i))
        for i, c in enumerate(shape.caps):
            errors += _duplicate(ids, "caps", c.id, i, doc)
            if not timedelta(minutes=1) <= c.per <= MAX_CAP_PERIOD:
                errors.append(doc.error(("caps", i, "per"), "a cap's period is 1m to 7d"))
            caps.append(Cap(c.id, _states(c.states), c.texts, c.per, source))
        if shape.dev_override is not None:
            at = doc.error(("dev_override",), "", key=True)
            override = f"{at.path}:{at.line}:{at.col}"
    if not errors:
        errors += _check_open(windows)
    if not errors and not any(w.states is None for w, _, _ in windows):
        where = windows[0][1].source if windows else "rules"
        errors.append(
            ScriptError(where, 1, 1, "no window applies everywhere: the federal hours are missing")
        )
    if errors:
        raise ScriptErrors(errors)
    return Rules(tuple(w for w, _, _ in windows), tuple(caps), override)


def _shape(text: str, source: str) -> tuple[_RulesDoc, Located]:
    try:
        doc = load_located(text, source)
    except ScriptError as e:
        raise ScriptErrors([e]) from None
    if not isinstance(doc.data, dict):
        raise ScriptErrors([doc.error((), "a rules file is a mapping with windows and caps")])
    try:
        shape = _RulesDoc.model_validate(doc.data)
    except ValidationError as e:
        raise ScriptErrors([located_error(doc, err) for err in e.errors()]) from None
    if not shape.windows and not shape.caps and shape.dev_override is None:
        raise ScriptErrors([doc.error((), "a rules file gives windows, caps or both")])
    return shape, doc


def _states(states: tuple[str, ...] | None) -> frozenset[str] | None:
    return None if states is None else frozenset(states)


def _days(key: str) -> tuple[int, ...] | None:
    """The weekdays a key names: ``mon``, ``mon-fri``, ``daily``; None when it names none."""
    word = " ".join(key.lower().split())
    if word in _EVERY_DAY:
        return tuple(range(7))
    first, _, last = (part.strip() for part in word.partition("-"))
    if first not in DAYS or (last and last not in DAYS):
        return None
    a, b = DAYS.index(first), DAYS.index(last or first)
    return tuple(range(a, b + 1)) if a <= b else None


def _week(
    hours: dict[str, Hours | None],
    path: tuple[str | int, ...],
    doc: Located,
    errors: list[ScriptError],
) -> Week | None:
    week: dict[int, Hours | None] = {}
    ok = True
    for key, value in hours.items():
        days = _days(key)
        if days is None:
            errors.append(
                doc.error(
                    (*path, key),
                    f"{key!r} is not days: mon…sun, a range (mon-fri) or daily",
                    key=True,
                )
            )
            ok = False
            continue
        for day in days:
            if day in week:
                errors.append(doc.error((*path, key), f"{DAYS[day]} is given twice", key=True))
                ok = False
            week[day] = value
    missing = [DAYS[d] for d in range(7) if d not in week]
    if ok and missing:
        errors.append(
            doc.error(
                path, f'no hours for {", ".join(missing)}: give every day ("closed" for none)'
            )
        )
        ok = False
    if ok and all(week[d] is None for d in range(7)):
        errors.append(doc.error(path, "closed every day: texts could never go"))
        ok = False
    return tuple(week[d] for d in range(7)) if ok else None


def _duplicate(
    ids: dict[tuple[str, str], str], kind: str, rule_id: str, i: int, doc: Located
) -> Iterator[ScriptError]:
    if (kind, rule_id) in ids:
        yield doc.error((kind, i, "id"), f"{kind[:-1]} {rule_id!r} is also in {ids[kind, rule_id]}")
    else:
        ids[kind, rule_id] = doc.source


def intersect(windows: Iterable[Window]) -> Week:
    """The hours every window allows, day by day (all day when there are none)."""
    week: list[Hours | None] = [Hours(0, 24 * 60)] * 7
    for w in windows:
        for d in range(7):
            a, b = week[d], w.week[d]
            week[d] = a & b if a is not None and b is not None else None
    return tuple(week)


def _check_open(windows: list[tuple[Window, Located, int]]) -> Iterator[ScriptError]:
    """Each state's window, with every nationwide one, must leave an hour on some day."""
    everywhere = [w for w, _, _ in windows if w.states is None]
    for w, doc, i in windows:
        week = intersect([*everywhere, w])
        longest = max((h.end - h.start for h in week if h is not None), default=0)
        if longest < MIN_OPEN_MINUTES:
            others = ", ".join(e.id for e in everywhere if e is not w) or "itself"
            yield doc.error(
                ("windows", i, "hours"),
                f"with {others}, {w.id!r} leaves no day with an hour for texts",
            )
