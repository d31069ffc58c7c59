"""Scripts load into typed models, and each kind of bad script gets a located error."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.script_files import FileScriptStore, load_file
from isa_engine.authoring import parse_script
from isa_engine.errors import ScriptError, ScriptErrors, UnknownScript

ROOT = Path(__file__).resolve().parents[2] / "scripts"
BUYER = (ROOT / "buyer" / "v1.yaml").read_text(encoding="utf-8")


def errors_of(text: str) -> list[ScriptError]:
    with pytest.raises(ScriptErrors) as caught:
        parse_script(text, "bad.yaml")
    return caught.value.errors


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    "path", sorted(ROOT.glob("*/v*.yaml")), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_every_shipped_script_validates(path: Path) -> None:
    script = load_file(path)
    assert script.name == path.parent.name
    assert len(script.steps) >= 4
    assert "appointment" in script.step_by_slot


def test_the_store_finds_the_three_shipped_scripts_and_the_latest_version() -> None:
    store = FileScriptStore(ROOT)
    assert {"buyer", "seller", "open_house"} <= set(store.load())
    assert store.get("buyer").key == store.get("buyer@1").key == "buyer@1"


def test_an_unknown_version_names_the_versions_there_are() -> None:
    with pytest.raises(UnknownScript, match=r"have: buyer@1"):
        FileScriptStore(ROOT).get("buyer@9")


def test_an_unknown_key_is_located_at_the_key() -> None:
    text = BUYER.replace("  - slot: baths\n", "  - slot: baths\n    colour: blue\n")
    [error] = errors_of(text)
    assert (error.line, error.col) == (line_of(text, "colour: blue"), 5)
    assert "unknown key 'colour'" in error.message


def test_an_unknown_slot_is_located_and_the_known_ones_are_listed() -> None:
    text = BUYER.replace("- slot: baths", "- slot: bathz")
    [error] = errors_of(text)
    assert error.line == line_of(text, "slot: bathz")
    assert "unknown slot 'bathz'" in error.message and "baths" in error.message


def test_an_unknown_placeholder_is_refused() -> None:
    text = BUYER.replace("And how many bathrooms?", "And how many bathrooms, {{ lead.last_name }}?")
    [error] = errors_of(text)
    assert error.line == line_of(text, "lead.last_name")
    assert "lead.last_name: attributes are not allowed" in error.message


def test_a_condition_on_a_slot_no_earlier_step_fills_is_refused() -> None:
    text = BUYER.replace(
        "  - slot: baths\n", "  - slot: baths\n    when: {slot: preapproval, is: [cash]}\n"
    )
    [error] = errors_of(text)
    assert error.line == line_of(text, "when: {slot: preapproval")
    assert "no earlier step fills" in error.message


def test_a_condition_value_the_slot_cannot_take_is_refused() -> None:
    text = BUYER.replace(
        "  - slot: has_agent\n",
        "  - slot: has_agent\n    when: {slot: preapproval, is: [maybe]}\n",
        1,
    )
    [error] = errors_of(text)
    assert "'maybe' is not a possible 'preapproval'" in error.message


def test_a_template_over_two_segments_is_refused() -> None:
    long_ask = "And how many bathrooms? " + "Please tell me. " * 25
    text = BUYER.replace("And how many bathrooms?", long_ask.strip())
    [error] = errors_of(text)
    assert error.line == line_of(text, "Please tell me.")
    assert "SMS segments" in error.message


def test_a_question_about_a_protected_trait_is_refused() -> None:
    text = BUYER.replace("And how many bathrooms?", "Do you have kids? And how many bathrooms?")
    errors = errors_of(text)
    assert any("Fair Housing" in e.message and e.line == line_of(text, "have kids") for e in errors)


def test_a_banned_phrase_is_refused() -> None:
    text = BUYER.replace(
        "Which areas or neighborhoods are you looking in?",
        "Which family-friendly neighborhoods are you looking in?",
    )
    errors = errors_of(text)
    assert any("Fair Housing" in e.message for e in errors)


def test_a_text_that_speaks_as_the_agent_is_refused() -> None:
    text = BUYER.replace("And how many bathrooms?", "This is {{ agent }}, how many bathrooms?")
    errors = errors_of(text)
    assert any("persona guard" in e.message for e in errors)


def test_an_opening_without_the_opt_out_line_is_refused() -> None:
    text = BUYER.replace(" Reply STOP to opt out.", "", 1)  # the opening's, not HELP's
    [error] = errors_of(text)
    assert "how to opt out" in error.message and error.line == line_of(text, "opening:")


def test_a_missing_handler_is_reported_by_name() -> None:
    text = BUYER.replace("  affirm: {}\n", "")
    [error] = errors_of(text)
    assert "no handler for affirm" in error.message


def test_an_opt_out_confirmation_that_asks_something_is_refused() -> None:
    text = BUYER.replace("Sorry for the bother!", "Sorry! Can we text you next year?")
    errors = errors_of(text)
    assert any("must ask nothing" in e.message for e in errors)


def test_every_error_in_a_file_is_reported_not_just_the_first() -> None:
    text = BUYER.replace("- slot: baths", "- slot: bathz").replace("- slot: beds", "- slot: bedz")
    errors = errors_of(text)
    assert [e.message.split(";")[0] for e in errors] == [
        "unknown slot 'bedz'",
        "unknown slot 'bathz'",
    ]


def test_broken_yaml_is_located_where_the_parser_stopped() -> None:
    text = BUYER.replace("  - slot: baths\n", "  - slot: baths\n   ask: [unclosed\n")
    [error] = errors_of(text)
    assert (error.path, error.line) == ("bad.yaml", line_of(text, "ask: [unclosed"))
    assert "not valid YAML" in error.message


def test_a_control_character_is_located_at_its_line_and_column() -> None:
    text = BUYER.replace("cold_after: 15m", "cold_after: 15m\x1f")
    [error] = errors_of(text)
    line = line_of(text, "cold_after: 15m")
    assert (error.line, error.col) == (line, len(text.splitlines()[line - 1]))
    assert "U+001F is not allowed" in error.message


def test_a_bad_duration_says_how_to_write_one() -> None:
    text = BUYER.replace("cold_after: 15m", "cold_after: soon")
    [error] = errors_of(text)
    assert error.line == line_of(text, "cold_after: soon")
    assert "90s, 15m, 2h or 3d" in error.message


def test_a_duplicate_version_and_a_misnamed_file_are_refused(tmp_path: Path) -> None:
    (tmp_path / "buyer").mkdir()
    (tmp_path / "buyer" / "v1.yaml").write_text(BUYER, encoding="utf-8")
    (tmp_path / "buyer" / "v2.yaml").write_text(BUYER, encoding="utf-8")  # says version: 1
    with pytest.raises(ScriptErrors) as caught:
        FileScriptStore(tmp_path).load()
    assert any("says version 1 but is named v2.yaml" in str(e) for e in caught.value.errors)


def test_a_duplicate_name_and_version_in_two_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "buyer").mkdir()
    (tmp_path / "buyer" / "v1.yaml").write_text(BUYER, encoding="utf-8")
    (tmp_path / "buyer" / "v1.yml").write_text(BUYER, encoding="utf-8")
    with pytest.raises(ScriptErrors) as caught:
        FileScriptStore(tmp_path).load()
    [error] = caught.value.errors
    assert "duplicate version: buyer@1" in error.message


def test_a_script_in_another_scripts_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "seller").mkdir()
    (tmp_path / "seller" / "v1.yaml").write_text(BUYER, encoding="utf-8")
    with pytest.raises(ScriptErrors, match="script 'buyer' is in folder 'seller'"):
        FileScriptStore(tmp_path).load()
