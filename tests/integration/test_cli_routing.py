"""Issue 15: routing rules are checked from the command line like scripts and rules, and a bad
routing file stops ``isa serve`` with one located line per problem, no traceback."""

from __future__ import annotations

from pathlib import Path

from tests.integration.test_cli import isa

BROKEN = """\
groups:
  team: {members: [{agent: dana@example.com}]}
rules:
  - {name: zillow, when: {sorce: [Zillow]}, to: {group: team}}
  - {name: rest, to: {group: teem}}
"""


def test_rules_validate_passes_the_shipped_rules_and_routing() -> None:
    done = isa("rules", "validate", "rules")
    assert done.returncode == 0, done.stderr
    assert "ok rules/routing.yaml: 4 routing rules, 1 groups" in done.stdout


def test_rules_validate_names_every_problem_of_a_routing_file_located(tmp_path: Path) -> None:
    bad = tmp_path / "routing.yaml"
    bad.write_text(BROKEN, "utf-8")
    done = isa("rules", "validate", str(bad))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"{bad}:4:27: unknown key 'sorce'",
        f"{bad}:5:30: unknown group 'teem' (groups: team)",
        "2 error(s) in 1 file(s)",
    ]


def test_serve_stops_on_a_bad_routing_file_with_one_located_line_each(tmp_path: Path) -> None:
    bad = tmp_path / "routing.yaml"
    bad.write_text(BROKEN, "utf-8")
    env = {"ISA_DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}"}
    done = isa("serve", "--port", "1", "--routing", str(bad), env=env)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stderr.splitlines() == [
        f"{bad}:4:27: unknown key 'sorce'",
        f"{bad}:5:30: unknown group 'teem' (groups: team)",
    ]
