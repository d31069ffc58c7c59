"""Routing rules as data (issue 15): a file validated with every problem located, the first
matching rule deciding, and a weighted round robin that skips who cannot take a lead."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.rule_files import load_routing
from isa_engine.errors import ScriptErrors
from isa_engine.routing import Group, Lead, Member, parse_routing, pick, unknown_agents
from tests.conftest import REPO

NOON = datetime(2037, 11, 23, 18, 0, tzinfo=UTC)  # noon in Chicago
NIGHT = datetime(2037, 11, 24, 4, 30, tzinfo=UTC)  # 22:30 in Chicago

RULES = """\
timezone: America/Chicago
groups:
  austin: {members: [{agent: dana@example.com, weight: 3}, {agent: eli@example.com}]}
rules:
  - {name: spanish, when: {language: [es]}, to: {agent: luis@example.com}}
  - {name: luxury, when: {price: {min: 750000}}, to: {agent: dana@example.com}, tries: 1}
  - name: austin
    when: {zip: ["787*", "78660"], source: [Zillow, realtor.com]}
    to: {group: austin}
  - {name: round rock, when: {city: [Round Rock]}, to: {group: austin}, timeout: 5m}
  - name: showings
    when: {inquiry_type: [Schedule Showing], time: "08:00-20:00"}
    to: {agent: eli@example.com}
  - {name: night, when: {time: "21:00-07:00"}, to: pond}
"""


def _name(lead: Lead, now: datetime = NOON) -> str | None:
    rule = parse_routing(RULES, "routing.yaml").rule_for(lead, now)
    return rule.name if rule else None


def test_the_first_rule_whose_every_condition_holds_decides() -> None:
    assert _name(Lead(language="es", price=900_000)) == "spanish"
    assert _name(Lead(price=900_000, zip="78701")) == "luxury"
    assert _name(Lead(zip="78745-1234", source="ZILLOW")) == "austin"  # a prefix; any case
    assert _name(Lead(zip="78660", source="Realtor.com")) == "austin"
    assert _name(Lead(zip="78745", source="Website")) is None  # one condition fails: not it
    assert _name(Lead(city="round  rock")) == "round rock"
    assert _name(Lead(inquiry_type="Schedule Showing")) == "showings"
    assert _name(Lead(inquiry_type="Schedule Showing"), NIGHT) == "night"  # across midnight
    assert _name(Lead(price=None)) is None  # an unknown price is in no band


def test_a_rule_without_its_own_time_and_tries_takes_the_files_defaults() -> None:
    routing = parse_routing(RULES, "routing.yaml")
    by_name = {r.name: r for r in routing.rules}
    assert by_name["round rock"].timeout.total_seconds() == 300
    assert by_name["austin"].timeout.total_seconds() == 900 and by_name["austin"].tries == 3
    assert by_name["luxury"].tries == 1
    assert by_name["austin"].source == "routing.yaml:7:5"


def test_a_weighted_round_robin_interleaves_and_skips_who_cannot_take_a_lead() -> None:
    group = Group("g", (Member("a", 2), Member("b"), Member("c")))
    assert group.turns() == ("a", "b", "c", "a")
    got, position = [], 0
    for _ in range(8):
        chosen = pick(group, position, unavailable={"c"}, open_offers={})
        assert chosen is not None
        got.append(chosen.agent)
        position = chosen.position
    assert got == ["a", "b", "a", "a", "b", "a", "a", "b"]
    capped = Group("g", group.members, cap=2)
    assert pick(capped, 0, unavailable=(), open_offers={"a": 2}) == pick(
        group, 1, unavailable=(), open_offers={}
    )
    assert pick(capped, 0, unavailable={"b", "c"}, open_offers={"a": 5}) is None


def test_every_problem_in_a_routing_file_is_reported_located_and_named() -> None:
    bad = """\
timezone: Mars/Olympus
groups:
  team: {members: [{agent: dana@example.com}, {agent: dana@example.com}], cap: 2}
rules:
  - {name: a, when: {zipp: ["78701"]}, to: pond}
  - {name: b, when: {zip: ["7870"], time: 8}, to: pond}
  - {name: c, to: {group: teem}}
  - {name: d, to: {agent: sam@example.com}}
  - {name: e, to: somewhere}
  - {name: f, when: {price: {min: 500000, max: 100000}}, to: pond}
"""
    with pytest.raises(ScriptErrors) as caught:
        parse_routing(bad, "routing.yaml", agents=["dana@example.com"])
    said = str(caught.value).splitlines()
    assert said[0].startswith("routing.yaml:1:11: timezone: unknown time zone 'Mars/Olympus'")
    with pytest.raises(ScriptErrors) as caught:
        parse_routing(bad.replace("Mars/Olympus", "UTC"), "routing.yaml", ["dana@example.com"])
    said = str(caught.value).splitlines()
    assert said == [
        "routing.yaml:3:55: dana@example.com is in group 'team' twice",
        "routing.yaml:5:22: unknown key 'zipp'",
        "routing.yaml:6:28: rules.1.when.zip.0: '7870' is not a ZIP: five digits, "
        "or a prefix ending in * (787*)",
        'routing.yaml:6:43: rules.1.when.time: write the time of day in quotes, as "08:00-18:00"',
        "routing.yaml:7:27: unknown group 'teem' (groups: team)",
        "routing.yaml:8:27: no active agent sam@example.com",
        "routing.yaml:9:19: to is pond, {agent: an agent's e-mail} or {group: a group's name}",
        "routing.yaml:10:29: price min is above max",
    ]


def test_the_shipped_rules_are_valid_and_name_the_readmes_agents() -> None:
    routing = load_routing(REPO / "rules" / "routing.yaml")
    assert [r.name for r in routing.rules][-1] == "everyone else"
    assert unknown_agents(routing, ["dana@example.com"]) == ["sam@example.com"]
