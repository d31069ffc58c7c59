"""Drip campaigns: the shipped ones validate, each kind of bad campaign gets a located
error, and steps fall due on day 1, 3, 7, 14, 30, then monthly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from adapters.campaign_files import FileCampaignStore, is_campaign_file, load_campaign_file
from isa_engine.campaign import Campaign, due_at, parse_campaign
from isa_engine.errors import ScriptError, ScriptErrors, UnknownScript
from tests.conftest import REPO

ROOT = REPO / "scripts" / "campaigns"
BUYER = (ROOT / "buyer_nurture" / "v1.yaml").read_text(encoding="utf-8")
JAN_1 = datetime(2026, 1, 1, 15, 0, tzinfo=UTC)


def errors_of(text: str) -> list[ScriptError]:
    with pytest.raises(ScriptErrors) as caught:
        parse_campaign(text, "bad.yaml")
    return caught.value.errors


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def campaign(steps: str, repeat: str = "") -> Campaign:
    return parse_campaign(f"name: t\nversion: 1\nsteps:\n{steps}{repeat}", "t.yaml")


OPT_OUT = "Reply STOP to opt out."
FIRST = (
    "  - after: 1d\n"
    f"    text: Hi {{{{ contact }}}}, it's {{{{ agent }}}}'s assistant. Still looking? {OPT_OUT}\n"
)


# Shipped campaigns


@pytest.mark.parametrize("path", sorted(ROOT.glob("*/v*.yaml")), ids=lambda p: p.parent.name)
def test_every_shipped_campaign_validates_on_day_1_3_7_14_30_then_monthly(path: Path) -> None:
    found = load_campaign_file(path)
    assert found.name == path.parent.name
    assert [s.after for s in found.steps] == [timedelta(days=d) for d in (1, 3, 7, 14, 30)]
    assert found.repeat is not None and str(found.repeat.every) == "1 month"
    assert all("agent" in t.names for t in (found.steps[0].text, found.repeat.texts[0]))


def test_the_store_finds_the_shipped_campaigns_and_the_latest_version() -> None:
    store = FileCampaignStore(ROOT)
    assert set(store.load()) == {
        "buyer_nurture",
        "seller_nurture",
        "buyer_nurture_es",
        "seller_nurture_es",
    }
    assert store.get("buyer_nurture").key == store.get("buyer_nurture@1").key == "buyer_nurture@1"
    with pytest.raises(UnknownScript, match="have: buyer_nurture@1"):
        store.get("buyer_nurture@7")


def test_campaign_files_are_told_apart_from_scripts_by_their_folder() -> None:
    assert is_campaign_file(ROOT / "buyer_nurture" / "v1.yaml")
    assert not is_campaign_file(REPO / "scripts" / "buyer" / "v1.yaml")


# Bad campaigns, each located


def test_an_unknown_key_is_located_at_the_key() -> None:
    text = BUYER.replace("  - after: 3d\n", "  - after: 3d\n    colour: blue\n")
    [error] = errors_of(text)
    assert (error.line, error.col) == (line_of(text, "colour: blue"), 5)
    assert "unknown key 'colour'" in error.message


def test_a_step_without_a_text_is_refused() -> None:
    [error] = errors_of(f"name: t\nversion: 1\nsteps:\n{FIRST}  - after: 3d\n")
    assert error.line == 6 and "missing key 'text'" in error.message


def test_a_slot_placeholder_is_refused_because_a_drip_may_find_it_empty() -> None:
    text = BUYER.replace("further out?", "further out than {{ timeframe }}?")
    [error] = errors_of(text)
    assert error.line == line_of(text, "Are you hoping to buy") - 1  # the "text: >" line
    assert "unknown placeholder timeframe: templates may use agent and contact" in error.message


def test_steps_under_a_day_apart_or_out_of_order_are_refused_at_their_offset() -> None:
    text = BUYER.replace("after: 7d", "after: 84h").replace("after: 14d", "after: 2d")
    close, backwards = errors_of(text)
    assert close.line == line_of(text, "after: 84h")
    assert "84h is less than a day after the step before (3d)" in close.message
    assert (
        backwards.line == line_of(text, "after: 2d") and "steps are in order" in backwards.message
    )


def test_an_offset_that_is_not_a_duration_is_refused() -> None:
    text = BUYER.replace("after: 7d", "after: a week")
    [error] = errors_of(text)
    assert error.line == line_of(text, "after: a week") and "a duration is" in error.message


def test_the_first_text_must_name_the_agent_and_how_to_opt_out() -> None:
    text = BUYER.replace(" Reply STOP to opt out.", "", 1).replace(
        "{{ agent }}'s assistant again", "the assistant again"
    )
    [error] = errors_of(text)
    assert error.line == line_of(text, "- after: 1d") + 1
    assert "the agent's first name" in error.message and "how to opt out" in error.message


def test_a_repeated_text_must_say_how_to_opt_out() -> None:
    text = BUYER.replace("thinking about buying? Reply STOP to opt out.", "thinking about buying?")
    [error] = errors_of(text)
    assert error.line == line_of(text, "it's {{ agent }}'s assistant checking in") - 1
    assert "a repeated text must say how to opt out" in error.message


def test_a_text_over_two_segments_is_refused() -> None:
    text = BUYER.replace("pre-approval yet?", "pre-approval yet? " + "Just checking in. " * 20)
    [error] = errors_of(text)
    assert "SMS segments" in error.message


def test_a_fair_housing_problem_is_refused() -> None:
    text = BUYER.replace("further out?", "further out? Is it a family-friendly area you want?")
    errors = errors_of(text)
    assert any("Fair Housing" in e.message for e in errors)


def test_a_text_that_speaks_as_the_agent_is_refused() -> None:
    text = BUYER.replace(
        "Hi {{ contact }}! Are you hoping", "Hi {{ contact }}, this is {{ agent }}! Are you hoping"
    )
    errors = errors_of(text)
    assert any("persona guard" in e.message for e in errors)


@pytest.mark.parametrize(
    ("every", "what"), [("fortnightly", 'repeat every "N days"'), ("0 months", "1 day or more")]
)
def test_a_bad_repeat_period_is_located(every: str, what: str) -> None:
    text = BUYER.replace("every: 1 month", f"every: {every}")
    [error] = errors_of(text)
    assert error.line == line_of(text, "every:") and what in error.message


def test_a_file_whose_name_or_folder_disagrees_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "campaigns" / "other" / "v2.yaml"
    bad.parent.mkdir(parents=True)
    bad.write_text(BUYER, encoding="utf-8")
    with pytest.raises(ScriptErrors) as caught:
        load_campaign_file(bad)
    messages = [e.message for e in caught.value.errors]
    assert "file says version 1 but is named v2.yaml" in messages
    assert "campaign 'buyer_nurture' is in folder 'other'" in messages


# When steps fall due


def test_steps_fall_due_on_day_1_3_7_14_30_then_on_the_same_day_each_month() -> None:
    found = parse_campaign(BUYER, "b.yaml")
    due = [due_at(found, JAN_1, step) for step in range(9)]
    assert [d.date().isoformat() for d in due if d] == [
        "2026-01-02", "2026-01-04", "2026-01-08", "2026-01-15", "2026-01-31",
        "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31",
    ]  # fmt: skip
    assert {d.time() for d in due if d} == {JAN_1.time()}


def test_a_month_end_anchor_survives_a_leap_february() -> None:
    found = campaign(
        FIRST, f"repeat:\n  every: 1 month\n  texts:\n    - Hi {{{{ contact }}}}! {OPT_OUT}\n"
    )
    enrolled = datetime(2028, 1, 30, 12, tzinfo=UTC)  # the only step: 31 January 2028
    assert [due_at(found, enrolled, s).date().isoformat() for s in (1, 2, 3)] == [  # type: ignore[union-attr]
        "2028-02-29", "2028-03-31", "2028-04-30",
    ]  # fmt: skip


def test_a_campaign_without_a_repeat_ends_after_its_last_step() -> None:
    found = campaign(FIRST + "  - after: 3d\n    text: Any news, {{ contact }}?\n")
    assert due_at(found, JAN_1, 1) == JAN_1 + timedelta(days=3)
    assert due_at(found, JAN_1, 2) is None and found.text(2) is None


def test_a_repeat_runs_its_times_and_takes_its_texts_in_turn() -> None:
    texts = (
        f"  texts:\n    - A {{{{ contact }}}}? {OPT_OUT}\n    - B {{{{ contact }}}}? {OPT_OUT}\n"
    )
    found = campaign(FIRST, f"repeat:\n  every: 2 weeks\n  times: 3\n{texts}")
    assert [due_at(found, JAN_1, s) for s in (1, 2, 3)] == [
        JAN_1 + timedelta(days=1 + 14 * n) for n in (1, 2, 3)
    ]
    assert [found.text(s).source[0] for s in (1, 2, 3)] == ["A", "B", "A"]  # type: ignore[union-attr]
    assert due_at(found, JAN_1, 4) is None


def test_days_count_on_the_enrolment_clock_so_the_time_of_day_survives_dst() -> None:
    ny = ZoneInfo("America/New_York")
    found = parse_campaign(BUYER, "b.yaml")
    enrolled = datetime(2026, 3, 1, 10, 0, tzinfo=ny)  # EST; day 14 is after clocks go forward
    day_14 = due_at(found, enrolled, 3)
    assert day_14 is not None and day_14.astimezone(ny).hour == 10 and day_14.tzinfo is UTC


def test_a_bad_step_index_or_a_naive_enrolment_is_refused() -> None:
    found = parse_campaign(BUYER, "b.yaml")
    with pytest.raises(ValueError, match="0 or more"):
        due_at(found, JAN_1, -1)
    with pytest.raises(ValueError, match="timezone-aware"):
        due_at(found, datetime(2026, 1, 1), 0)  # noqa: DTZ001
