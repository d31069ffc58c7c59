"""The shipped rules files load into typed windows and caps; each kind of bad rules
file is refused with ``file:line:col: what is wrong``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from adapters.rule_files import load_rules
from isa_engine.errors import ScriptError, ScriptErrors
from isa_engine.policy.rules import Hours, parse_rules
from tests.conftest import REPO

FEDERAL = (REPO / "rules" / "federal.yaml").read_text(encoding="utf-8")
STATES = (REPO / "rules" / "states.yaml").read_text(encoding="utf-8")


def errors_of(text: str, *, with_federal: bool = True) -> list[ScriptError]:
    files = [(FEDERAL, "federal.yaml")] if with_federal else []
    with pytest.raises(ScriptErrors) as caught:
        parse_rules([*files, (text, "bad.yaml")])
    return caught.value.errors


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_shipped_rules_hold_every_window_and_cap_of_compliance_2_and_3() -> None:
    rules = load_rules(REPO / "rules")
    windows = {w.id: w for w in rules.windows}
    assert set(windows) == {"federal", "FL", "OK", "MD", "NJ", "MS", "CT", "TX", "WA"}
    assert windows["federal"].states is None
    assert set(windows["federal"].week) == {Hours(8 * 60, 21 * 60)}
    assert windows["CT"].week[0] == Hours(9 * 60, 20 * 60)
    assert windows["TX"].week[5] == Hours(9 * 60, 21 * 60)  # Saturday
    assert windows["TX"].week[6] == Hours(12 * 60, 21 * 60)  # Sunday
    assert {(c.id, c.texts, c.per) for c in rules.caps} == {
        (s, 3, timedelta(hours=24)) for s in ("FL", "OK", "MD")
    }


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScriptError, match="no rules files"):
        load_rules(tmp_path)


def test_bad_yaml_is_located() -> None:
    [error] = errors_of('windows:\n  - id: x\n    hours: {daily: "08:00-21:00"\n')
    assert error.path == "bad.yaml" and "not valid YAML" in error.message


def test_an_unknown_key_is_located_at_the_key() -> None:
    text = 'windows:\n  - id: NY\n    states: [NY]\n    hourz: {daily: "08:00-20:00"}\n'
    errors = errors_of(text)
    assert any((e.line, e.col) == (4, 5) and "unknown key 'hourz'" in e.message for e in errors)
    assert any("missing key 'hours'" in e.message for e in errors)


def test_an_unknown_state_is_located_at_the_state() -> None:
    text = 'windows:\n  - id: NY\n    states: [NY, XX]\n    hours: {daily: "08:00-20:00"}\n'
    [error] = errors_of(text)
    assert (error.line, error.col) == (3, 18)
    assert "unknown state 'XX'" in error.message


def test_unquoted_hours_that_yaml_reads_as_a_number_are_refused() -> None:
    text = "windows:\n  - id: NY\n    states: [NY]\n    hours: {daily: 8:00}\n"
    [error] = errors_of(text)
    assert error.line == 4 and "write hours in quotes" in error.message


@pytest.mark.parametrize(
    ("hours", "what"),
    [
        ('"20:00-08:00"', "ends before it starts"),
        ('"25:00-26:00"', "is not a time of day"),
        ('"8 to 8"', "is not hours"),
    ],
)
def test_bad_hours_are_located_at_the_value(hours: str, what: str) -> None:
    text = f"windows:\n  - id: NY\n    states: [NY]\n    hours:\n      daily: {hours}\n"
    [error] = errors_of(text)
    assert (error.line, error.col) == (5, 14) and what in error.message


def test_a_day_without_hours_is_refused() -> None:
    text = 'windows:\n  - id: NY\n    states: [NY]\n    hours: {mon-sat: "08:00-20:00"}\n'
    [error] = errors_of(text)
    assert error.line == 4 and "no hours for sun" in error.message


def test_a_day_given_twice_is_refused_at_the_second_key() -> None:
    text = (
        "windows:\n  - id: NY\n    states: [NY]\n    hours:\n"
        '      mon-sat: "08:00-20:00"\n      sat-sun: "09:00-20:00"\n'
    )
    [error] = errors_of(text)
    assert (error.line, error.col) == (6, 7) and "sat is given twice" in error.message


def test_a_key_that_names_no_days_is_refused() -> None:
    text = 'windows:\n  - id: NY\n    states: [NY]\n    hours: {weekdays: "08:00-20:00"}\n'
    [error] = errors_of(text)
    assert error.line == 4 and "'weekdays' is not days" in error.message


def test_a_window_closed_every_day_is_refused() -> None:
    text = "windows:\n  - id: NY\n    states: [NY]\n    hours: {daily: closed}\n"
    [error] = errors_of(text)
    assert "closed every day" in error.message


def test_a_state_window_that_leaves_no_time_beside_the_federal_one_is_refused() -> None:
    text = 'windows:\n  - id: NY\n    states: [NY]\n    hours: {daily: "06:00-08:30"}\n'
    [error] = errors_of(text)
    assert error.line == 4 and "with federal, 'NY' leaves no day with an hour" in error.message


@pytest.mark.parametrize(
    ("cap", "where", "what"),
    [
        ("{id: NY, states: [NY], texts: 0, per: 24h}", "texts", "greater than or equal to 1"),
        ("{id: NY, states: [NY], texts: 3, per: 30d}", "per", "1m to 7d"),
        ("{id: NY, states: [NY], texts: 3, per: a day}", "per", "a duration is a number"),
        ('{id: NY, states: [NY], texts: "3", per: 24h}', "texts", "valid integer"),
    ],
)
def test_a_bad_cap_is_located_at_the_field(cap: str, where: str, what: str) -> None:
    text = f"caps:\n  - {cap}\n"
    [error] = errors_of(text)
    assert (error.line, error.col) == (2, text.splitlines()[1].index(f"{where}:") + len(where) + 3)
    assert what in error.message


def test_the_same_rule_id_in_two_files_is_refused_at_the_second() -> None:
    [error] = errors_of(FEDERAL)
    assert error.path == "bad.yaml" and error.line == line_of(FEDERAL, "id: federal")
    assert "window 'federal' is also in federal.yaml" in error.message


def test_rules_without_a_nationwide_window_are_refused() -> None:
    [error] = errors_of(STATES, with_federal=False)
    assert "no window applies everywhere" in error.message


def test_a_file_with_neither_windows_nor_caps_is_refused() -> None:
    [error] = errors_of("windows: []\n")
    assert "gives windows, caps or both" in error.message


def test_every_bad_file_is_reported_at_once(tmp_path: Path) -> None:
    (tmp_path / "federal.yaml").write_text(FEDERAL, encoding="utf-8")
    (tmp_path / "a.yaml").write_text("caps:\n  - {id: A, texts: 0, per: 1h}\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("windows: 3\n", encoding="utf-8")
    with pytest.raises(ScriptErrors) as caught:
        load_rules(tmp_path)
    assert [Path(e.path).name for e in caught.value.errors] == ["a.yaml", "b.yaml"]


def test_the_dev_rules_keep_every_window_and_name_the_override() -> None:
    shipped, dev = load_rules(REPO / "rules"), load_rules(REPO / "rules" / "dev")
    assert shipped.override is None and shipped.sending() is shipped
    assert [w.id for w in dev.windows] == [w.id for w in shipped.windows]  # still said why
    assert dev.override is not None and dev.override.startswith(str(REPO / "rules" / "dev"))
    assert dev.override.endswith("override.yaml:9:1")
    sending = dev.sending()
    assert [w.week for w in sending.windows] == [(Hours(0, 24 * 60),) * 7]  # any hour
    assert sending.caps == dev.caps  # caps still hold


def test_an_override_ignores_quiet_hours_and_nothing_else() -> None:
    [error] = errors_of("dev_override:\n  quiet_hours: caps\n")
    assert (error.line, error.col) == (2, 16) and "ignored" in error.message
    rules = parse_rules(
        [(FEDERAL, "federal.yaml"), ("dev_override: {quiet_hours: ignored}\n", "o")]
    )
    assert rules.override == "o:1:1"
