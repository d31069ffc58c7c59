"""Routing rules as data: ``rules/routing.yaml`` parsed into ordered rules, and who gets a lead.

The first rule whose every condition holds decides: one agent, a round robin among a
group (weighted; agents marked away, at their cap of open offers, or already offered
this lead are skipped), or the coordinators' pond (nobody: the unassigned list). An offer
not accepted in the rule's ``timeout`` goes to the next agent, and after ``tries`` offers
to the pond. The core parses text given to it and decides from plain values and a
``now``; the round-robin position and the offers are stored by the services. A bad file
is refused like a script, every problem as ``file:line:col: what``::

    timezone: America/Chicago
    groups:
      austin: {cap: 3, members: [{agent: dana@example.com, weight: 2}, {agent: eli@example.com}]}
    rules:
      - {name: spanish, when: {language: es}, to: {agent: luis@example.com}}
      - {name: austin, when: {zip: ["787*"]}, to: {group: austin}, timeout: 10m, tries: 2}
      - {name: everyone else, to: pond}
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from isa_engine.errors import ScriptError, ScriptErrors
from isa_engine.located_yaml import Located, load_located, located_error
from isa_engine.script import Duration

DEFAULT_TIMEOUT = timedelta(minutes=15)
DEFAULT_TRIES = 3
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")
_ZIP = re.compile(r"^\d{1,5}\*?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


@dataclass(frozen=True, slots=True)
class Lead:
    """What routing looks at: the inquiry's facts, each possibly unknown."""

    source: str | None = None
    inquiry_type: str | None = None
    zip: str | None = None
    city: str | None = None
    price: int | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Member:
    """One agent of a group, by e-mail, and its share of the round robin."""

    agent: str
    weight: int = 1


@dataclass(frozen=True, slots=True)
class Group:
    """Agents taking turns; ``cap``: open offers an agent may hold before being skipped."""

    name: str
    members: tuple[Member, ...]
    cap: int | None = None

    def turns(self) -> tuple[str, ...]:
        """One cycle of the weighted round robin, interleaved (smooth weighted round robin:
        weights 2 and 1 give a, b, a — never a, a, b)."""
        current = [0] * len(self.members)
        total = sum(m.weight for m in self.members)
        out: list[str] = []
        for _ in range(total):
            for i, m in enumerate(self.members):
                current[i] += m.weight
            best = max(range(len(self.members)), key=lambda i: current[i])
            current[best] -= total
            out.append(self.members[best].agent)
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Rule:
    """Conditions (each ``None`` when not given) and where a matching lead goes."""

    name: str
    to_agent: str | None = None  # an agent's e-mail
    to_group: str | None = None  # a group's name; neither: the pond
    sources: frozenset[str] | None = None
    inquiry_types: frozenset[str] | None = None
    zips: tuple[str, ...] | None = None  # a ZIP, or a prefix ending in *
    cities: frozenset[str] | None = None
    price_min: int | None = None
    price_max: int | None = None
    languages: frozenset[str] | None = None
    hours: tuple[int, int] | None = None  # minutes of the day; may cross midnight
    timeout: timedelta = DEFAULT_TIMEOUT
    tries: int = DEFAULT_TRIES
    source: str = ""  # file:line:col of the rule

    def matches(self, lead: Lead, minute: int) -> bool:
        """Whether every condition given holds for ``lead`` at ``minute`` of the day."""
        return (
            _among(self.sources, lead.source)
            and _among(self.inquiry_types, lead.inquiry_type)
            and _among(self.cities, lead.city)
            and _among(self.languages, lead.language)
            and (self.zips is None or _zip_in(lead.zip, self.zips))
            and _in_band(lead.price, self.price_min, self.price_max)
            and (self.hours is None or _in_hours(minute, self.hours))
        )


@dataclass(frozen=True, eq=False)
class Routing:
    """Every rule in order, the groups, and the clock times of day are read on."""

    rules: tuple[Rule, ...] = ()
    groups: Mapping[str, Group] = field(default_factory=dict)
    timezone: str = "UTC"
    source: str = ""

    def rule_for(self, lead: Lead, now: datetime) -> Rule | None:
        """The first rule ``lead`` matches at ``now``; None: no rule (the pond)."""
        local = now.astimezone(ZoneInfo(self.timezone))
        minute = local.hour * 60 + local.minute
        return next((r for r in self.rules if r.matches(lead, minute)), None)

    def agents(self) -> frozenset[str]:
        """Every agent the file names, by e-mail."""
        named = {r.to_agent for r in self.rules if r.to_agent}
        named |= {m.agent for g in self.groups.values() for m in g.members}
        return frozenset(named)


@dataclass(frozen=True, slots=True)
class Pick:
    """The agent a group's turn falls on, and the position the next turn starts from."""

    agent: str
    position: int


def pick(
    group: Group,
    position: int,
    *,
    unavailable: Collection[str],
    open_offers: Mapping[str, int],
) -> Pick | None:
    """The next agent of ``group`` from ``position`` who is available and under the cap;
    None when every one is away, capped or already tried."""
    turns = group.turns()
    for step in range(len(turns)):
        i = (position + step) % len(turns)
        agent = turns[i]
        if agent in unavailable:
            continue
        if group.cap is not None and open_offers.get(agent, 0) >= group.cap:
            continue
        return Pick(agent, (i + 1) % len(turns))
    return None


def _fold(value: str) -> str:
    return " ".join(value.lower().split())


def _among(allowed: frozenset[str] | None, value: str | None) -> bool:
    return allowed is None or (value is not None and _fold(value) in allowed)


def _zip_in(value: str | None, zips: tuple[str, ...]) -> bool:
    if not value:
        return False
    five = value.strip()[:5]
    return any(five.startswith(z[:-1]) if z.endswith("*") else five == z for z in zips)


def _in_band(price: int | None, low: int | None, high: int | None) -> bool:
    if low is None and high is None:
        return True
    if price is None:
        return False
    return (low is None or price >= low) and (high is None or price <= high)


def _in_hours(minute: int, hours: tuple[int, int]) -> bool:
    start, end = hours
    return start <= minute < end if start < end else minute >= start or minute < end


# ---- the file -------------------------------------------------------------------------


def _hours(value: Any) -> tuple[int, int]:
    if not isinstance(value, str):
        raise ValueError('write the time of day in quotes, as "08:00-18:00"')
    m = _TIME.match(value)
    if not m:
        raise ValueError(f'{value!r} is not a time of day: write "HH:MM-HH:MM"')
    h1, m1, h2, m2 = map(int, m.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        raise ValueError(f"{value!r} is not a time of day (00:00 to 24:00)")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if start == end:
        raise ValueError(f"{value!r} is empty: it starts when it ends")
    return start, end


def _zip(value: str) -> str:
    text = str(value).strip()
    if not _ZIP.match(text) or (not text.endswith("*") and len(text) != 5):
        raise ValueError(f"{value!r} is not a ZIP: five digits, or a prefix ending in * (787*)")
    return text


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an agent's e-mail address")
    return value.strip().lower()


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r}: an IANA name such as America/Chicago"
        ) from None
    return value


def _some(value: tuple[Any, ...]) -> tuple[Any, ...]:
    if not value:
        raise ValueError("an empty list matches nothing: give at least one value, or leave it out")
    return value


Words = Annotated[
    tuple[Annotated[str, Field(min_length=1, max_length=100)], ...], AfterValidator(_some)
]
Email = Annotated[str, AfterValidator(_email)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _PriceDoc(_Strict):
    min: int | None = Field(default=None, ge=0, strict=True)
    max: int | None = Field(default=None, ge=0, strict=True)


class _WhenDoc(_Strict):
    source: Words | None = None
    inquiry_type: Words | None = None
    zip: (
        Annotated[tuple[Annotated[str, AfterValidator(_zip)], ...], AfterValidator(_some)] | None
    ) = None
    city: Words | None = None
    price: _PriceDoc | None = None
    language: Annotated[tuple[Literal["en", "es"], ...], AfterValidator(_some)] | None = None
    time: Annotated[Any, AfterValidator(_hours)] = None


class _RuleDoc(_Strict):
    name: str = Field(min_length=1, max_length=100)
    when: _WhenDoc = _WhenDoc()
    to: Any  # "pond", {agent: e-mail} or {group: name}: checked by _target, located
    timeout: Duration | None = None
    tries: int | None = Field(default=None, ge=1, le=20, strict=True)


class _MemberDoc(_Strict):
    agent: Email
    weight: int = Field(default=1, ge=1, le=100, strict=True)


class _GroupDoc(_Strict):
    members: Annotated[tuple[_MemberDoc, ...], AfterValidator(_some)]
    cap: int | None = Field(default=None, ge=1, strict=True)


class _OfferDoc(_Strict):
    timeout: Duration = DEFAULT_TIMEOUT
    tries: int = Field(default=DEFAULT_TRIES, ge=1, le=20, strict=True)


class _RoutingDoc(_Strict):
    timezone: Annotated[str, AfterValidator(_zone)] = "UTC"
    offer: _OfferDoc = _OfferDoc()
    groups: dict[str, Any] = {}  # each a _GroupDoc, checked on its own so every error shows
    rules: list[Any]  # each a _RuleDoc, likewise


def _listed(value: tuple[str, ...] | None) -> frozenset[str] | None:
    return None if value is None else frozenset(_fold(v) for v in value)


def _target(to: Any) -> tuple[str | None, str | None]:
    """(agent, group) of a rule's ``to``; (None, None) is the pond."""
    if to == "pond":
        return None, None
    if isinstance(to, dict) and len(to) == 1:
        ((key, value),) = to.items()
        if key == "agent" and isinstance(value, str):
            return _email(value), None
        if key == "group" and isinstance(value, str) and value:
            return None, value
    raise ValueError("to is pond, {agent: an agent's e-mail} or {group: a group's name}")


def _rule(raw: _RuleDoc, offer: _OfferDoc, doc: Located, i: int) -> Rule:
    at = doc.error(("rules", i), "")
    price = raw.when.price
    agent, group = _target(raw.to)
    return Rule(
        name=raw.name,
        to_agent=agent,
        to_group=group,
        sources=_listed(raw.when.source),
        inquiry_types=_listed(raw.when.inquiry_type),
        zips=raw.when.zip,
        cities=_listed(raw.when.city),
        price_min=price.min if price else None,
        price_max=price.max if price else None,
        languages=frozenset(raw.when.language) if raw.when.language else None,
        hours=raw.when.time,
        timeout=raw.timeout or offer.timeout,
        tries=raw.tries or offer.tries,
        source=f"{at.path}:{at.line}:{at.col}",
    )


def parse_routing(text: str, source: str, agents: Collection[str] | None = None) -> Routing:
    """Validate a routing file; with ``agents`` (active agents' e-mails), every agent the
    file names must be one. Raises ScriptErrors listing every problem, each located."""
    try:
        doc = load_located(text, source)
    except ScriptError as e:
        raise ScriptErrors([e]) from None
    if not isinstance(doc.data, dict):
        raise ScriptErrors([doc.error((), "a routing file is a mapping with rules and groups")])
    try:
        shape = _RoutingDoc.model_validate(doc.data)
    except ValidationError as e:
        raise ScriptErrors([located_error(doc, err) for err in e.errors()]) from None
    errors: list[ScriptError] = []
    if not shape.rules:
        errors.append(doc.error(("rules",), "no rules: give at least one (to: pond for none)"))
    known = None if agents is None else {a.lower() for a in agents}
    group_docs = _each(_GroupDoc, "groups", shape.groups.items(), doc, errors)
    rule_docs = _each(_RuleDoc, "rules", enumerate(shape.rules), doc, errors)
    groups: dict[str, Group] = {}
    for name, g in group_docs.items():
        seen: set[str] = set()
        for j, m in enumerate(g.members):
            where = ("groups", name, "members", j, "agent")
            if m.agent in seen:
                errors.append(doc.error(where, f"{m.agent} is in group {name!r} twice"))
            seen.add(m.agent)
            if known is not None and m.agent not in known:
                errors.append(doc.error(where, f"no active agent {m.agent}"))
        groups[name] = Group(name, tuple(Member(m.agent, m.weight) for m in g.members), g.cap)
    rules: list[Rule] = []
    names: dict[str, int] = {}
    names_of_groups = set(group_docs) | set(shape.groups)
    for i, raw in rule_docs.items():
        try:
            rule = _rule(raw, shape.offer, doc, i)
        except ValueError as e:
            errors.append(doc.error(("rules", i, "to"), str(e)))
            continue
        if raw.name in names:
            errors.append(doc.error(("rules", i, "name"), f"rule {raw.name!r} is given twice"))
        names[raw.name] = i
        if rule.to_group is not None and rule.to_group not in names_of_groups:
            known_groups = ", ".join(sorted(names_of_groups)) or "none"
            errors.append(
                doc.error(
                    ("rules", i, "to", "group"),
                    f"unknown group {rule.to_group!r} (groups: {known_groups})",
                )
            )
        if rule.to_agent is not None and known is not None and rule.to_agent not in known:
            errors.append(
                doc.error(("rules", i, "to", "agent"), f"no active agent {rule.to_agent}")
            )
        p = raw.when.price
        if p is not None and p.min is not None and p.max is not None and p.min > p.max:
            errors.append(doc.error(("rules", i, "when", "price"), "price min is above max"))
        rules.append(rule)
    if errors:
        raise ScriptErrors(errors)
    return Routing(tuple(rules), groups, shape.timezone, source)


M = TypeVar("M", bound=BaseModel)


def _each(
    model: type[M],
    where: str,
    items: Iterable[tuple[str | int, Any]],
    doc: Located,
    errors: list[ScriptError],
) -> dict[Any, M]:
    """Each item validated on its own, so one bad rule does not hide another's errors."""
    out: dict[Any, M] = {}
    for key, value in items:
        try:
            out[key] = model.model_validate(value)
        except ValidationError as e:
            for problem in e.errors():
                found: dict[str, Any] = dict(problem)
                found["loc"] = (where, key, *problem["loc"])
                errors.append(located_error(doc, found))
    return out


def unknown_agents(routing: Routing, agents: Iterable[str]) -> list[str]:
    """The agents the file names that are not among ``agents`` (active agents' e-mails)."""
    known = {a.lower() for a in agents}
    return sorted(a for a in routing.agents() if a not in known)
