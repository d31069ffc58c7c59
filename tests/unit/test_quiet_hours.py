"""A text waits for the recipient's sending hours and caps (COMPLIANCE.md #1–#3), on
every clock the recipient may keep, and goes at once when nothing holds it back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from adapters.rule_files import load_rules
from isa_engine.policy.quiet_hours import NeverAllowed, earliest_send
from isa_engine.policy.recipient import Recipient, locate
from isa_engine.policy.rules import parse_rules
from tests.conftest import REPO

RULES = load_rules(REPO / "rules")
NY, CHICAGO, LA = (
    ZoneInfo("America/New_York"),
    ZoneInfo("America/Chicago"),
    ZoneInfo("America/Los_Angeles"),
)


def local(zone: ZoneInfo, y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    """A wall-clock time in ``zone``, as the UTC instant the engine is given."""
    return datetime(y, mo, d, h, mi, tzinfo=zone).astimezone(UTC)


def someone(zone: str, *states: str) -> Recipient:
    return Recipient((ZoneInfo(zone),), frozenset(states))


# COMPLIANCE.md #1: federal 8:00–21:00 on the recipient's clock


def test_at_20_59_local_the_text_goes_now() -> None:
    proposed = local(NY, 2026, 6, 10, 20, 59)
    clearance = earliest_send(RULES, someone("America/New_York", "NY"), proposed)
    assert clearance.at == proposed and not clearance.deferred


def test_at_21_00_local_the_text_waits_until_8_the_next_morning() -> None:
    clearance = earliest_send(
        RULES, someone("America/New_York", "NY"), local(NY, 2026, 6, 10, 21, 0)
    )
    assert clearance.at == local(NY, 2026, 6, 11, 8, 0)
    assert clearance.reasons == (
        "federal quiet hours (Wed 08:00–21:00; 21:00 in America/New_York)",
    )


def test_before_8_the_text_waits_until_8_the_same_day() -> None:
    clearance = earliest_send(
        RULES, someone("America/Chicago", "IL"), local(CHICAGO, 2026, 6, 10, 6, 15)
    )
    assert clearance.at == local(CHICAGO, 2026, 6, 10, 8, 0)


def test_a_text_proposed_in_a_local_zone_comes_back_unchanged_when_it_may_go() -> None:
    proposed = datetime(2026, 6, 10, 12, 0, tzinfo=NY)
    assert earliest_send(RULES, someone("America/New_York"), proposed).at is proposed


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        earliest_send(RULES, someone("America/New_York"), datetime(2026, 6, 10, 12))  # noqa: DTZ001


# COMPLIANCE.md #2: stricter state windows


def test_a_florida_lead_at_20_05_is_deferred_to_the_morning() -> None:
    clearance = earliest_send(
        RULES, someone("America/New_York", "FL"), local(NY, 2026, 6, 10, 20, 5)
    )
    assert clearance.at == local(NY, 2026, 6, 11, 8, 0)
    assert clearance.reasons == ("quiet hours in FL (Wed 08:00–20:00; 20:05 in America/New_York)",)


@pytest.mark.parametrize("state", ["FL", "OK", "MD", "NJ", "MS", "WA"])
def test_states_that_stop_at_20_00_defer_a_text_at_20_00(state: str) -> None:
    proposed = local(CHICAGO, 2026, 6, 10, 20, 0)
    clearance = earliest_send(RULES, someone("America/Chicago", state), proposed)
    assert clearance.at == local(CHICAGO, 2026, 6, 11, 8, 0)
    assert earliest_send(
        RULES, someone("America/Chicago", state), proposed - timedelta(minutes=1)
    ).at == proposed - timedelta(minutes=1)


def test_connecticut_starts_at_9() -> None:
    clearance = earliest_send(
        RULES, someone("America/New_York", "CT"), local(NY, 2026, 6, 10, 8, 30)
    )
    assert clearance.at == local(NY, 2026, 6, 10, 9, 0)
    assert clearance.reasons[0].startswith("quiet hours in CT (Wed 09:00–20:00")


def test_texas_on_sunday_at_10_is_deferred_to_noon() -> None:
    clearance = earliest_send(
        RULES, someone("America/Chicago", "TX"), local(CHICAGO, 2026, 6, 7, 10, 0)
    )
    assert clearance.at == local(CHICAGO, 2026, 6, 7, 12, 0)
    assert clearance.reasons == ("quiet hours in TX (Sun 12:00–21:00; 10:00 in America/Chicago)",)


def test_texas_on_saturday_starts_at_9_and_on_monday_too() -> None:
    tx = someone("America/Chicago", "TX")
    assert earliest_send(RULES, tx, local(CHICAGO, 2026, 6, 6, 8, 30)).at == local(
        CHICAGO, 2026, 6, 6, 9, 0
    )
    # Saturday 21:00 waits past all of Sunday morning
    assert earliest_send(RULES, tx, local(CHICAGO, 2026, 6, 6, 21, 0)).at == local(
        CHICAGO, 2026, 6, 7, 12, 0
    )


def test_a_state_without_its_own_rule_gets_the_federal_hours() -> None:
    proposed = local(NY, 2026, 6, 10, 20, 30)
    assert earliest_send(RULES, someone("America/New_York", "NY"), proposed).at == proposed


# COMPLIANCE.md #3: at most 3 texts in a rolling 24 h in FL, OK, MD


def test_the_4th_text_within_24_h_waits_until_24_h_after_the_1st() -> None:
    sent = [local(NY, 2026, 6, 10, h) for h in (9, 10, 11)]
    clearance = earliest_send(
        RULES, someone("America/New_York", "FL"), local(NY, 2026, 6, 10, 12), sent
    )
    assert clearance.at == sent[0] + timedelta(hours=24)
    assert clearance.reasons == ("cap: 3 texts in 24 h in FL",)


def test_texts_older_than_24_h_do_not_count() -> None:
    sent = [local(NY, 2026, 6, 9, h) for h in (9, 10, 11)]
    proposed = local(NY, 2026, 6, 10, 11, 0)
    assert earliest_send(RULES, someone("America/New_York", "FL"), proposed, sent).at == proposed


def test_without_a_cap_state_many_texts_may_go() -> None:
    sent = [local(NY, 2026, 6, 10, 9, m) for m in range(0, 50, 5)]
    proposed = local(NY, 2026, 6, 10, 10, 0)
    assert earliest_send(RULES, someone("America/New_York", "NY"), proposed, sent).at == proposed


def test_a_cap_released_in_quiet_hours_waits_for_the_morning() -> None:
    sent = [local(NY, 2026, 6, 10, 7, 30), local(NY, 2026, 6, 10, 12), local(NY, 2026, 6, 10, 18)]
    clearance = earliest_send(
        RULES, someone("America/New_York", "OK"), local(NY, 2026, 6, 10, 19), sent
    )
    assert clearance.at == local(NY, 2026, 6, 11, 8, 0)
    assert clearance.reasons[0] == "cap: 3 texts in 24 h in OK"
    assert any(r.startswith("quiet hours in OK (Thu 08:00–20:00; 07:30") for r in clearance.reasons)


# Where the recipient is: every candidate zone, every edge


def test_dst_starts_overnight_and_the_morning_opening_is_8_daylight_time() -> None:
    # Saturday 7 March 2026 21:30 EST; clocks go forward at 2:00 on Sunday
    clearance = earliest_send(RULES, someone("America/New_York"), local(NY, 2026, 3, 7, 21, 30))
    assert clearance.at == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # 08:00 EDT
    assert clearance.reasons == (
        "federal quiet hours (Sat 08:00–21:00; 21:30 in America/New_York)",
    )


def test_dst_ends_overnight_and_the_morning_opening_is_8_standard_time() -> None:
    clearance = earliest_send(RULES, someone("America/New_York"), local(NY, 2026, 10, 31, 21, 30))
    assert clearance.at == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)  # 08:00 EST


def test_a_window_opening_inside_the_skipped_hour_opens_when_the_clocks_jump() -> None:
    rules = parse_rules(
        [('windows:\n  - id: odd\n    hours: {daily: "02:30-21:00"}\n', "odd.yaml")]
    )
    clearance = earliest_send(rules, someone("America/New_York"), local(NY, 2026, 3, 8, 1, 0))
    assert clearance.at == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 03:00 EDT: 02:30 never happens


def test_arizona_keeps_standard_time_so_phoenix_texts_while_denver_waits() -> None:
    proposed = datetime(2026, 7, 15, 3, 30, tzinfo=UTC)  # 20:30 in Phoenix, 21:30 in Denver
    assert earliest_send(RULES, someone("America/Phoenix", "AZ"), proposed).at == proposed
    denver = earliest_send(RULES, someone("America/Denver", "CO"), proposed)
    assert denver.at == datetime(2026, 7, 15, 14, 0, tzinfo=UTC)  # 08:00 MDT


def test_hawaii_is_on_its_own_clock_all_year() -> None:
    hst = ZoneInfo("Pacific/Honolulu")
    honolulu = someone("Pacific/Honolulu", "HI")
    assert earliest_send(RULES, honolulu, local(hst, 2026, 1, 5, 20, 59)).at == local(
        hst, 2026, 1, 5, 20, 59
    )
    assert earliest_send(RULES, honolulu, local(hst, 2026, 7, 5, 21, 0)).at == datetime(
        2026, 7, 6, 18, 0, tzinfo=UTC
    )


def test_an_alaska_number_waits_for_8_on_both_of_its_clocks() -> None:
    anchorage = ZoneInfo("America/Anchorage")
    alaska = locate("+19075550100")  # Anchorage and Adak, an hour behind
    clearance = earliest_send(RULES, alaska, local(anchorage, 2026, 6, 10, 8, 30))
    assert clearance.at == local(anchorage, 2026, 6, 10, 9, 0)
    assert "America/Adak" in clearance.reasons[0]


def test_a_new_york_zip_with_a_seattle_number_gets_only_the_hours_both_allow() -> None:
    lead = locate("+12065550100", "10001")
    # 09:00 in New York is 06:00 in Seattle: wait for 08:00 in Seattle (11:00 in New York)
    assert earliest_send(RULES, lead, local(NY, 2026, 6, 10, 9)).at == local(NY, 2026, 6, 10, 11)
    # 20:30 in New York is 17:30 in Seattle, but Washington's 20:00 holds on the New York clock too
    late = earliest_send(RULES, lead, local(NY, 2026, 6, 10, 20, 30))
    assert late.at == local(NY, 2026, 6, 11, 11)
    # the first reason is what held it at 20:30; then 08:00 in New York is 05:00 in Seattle
    assert late.reasons[0] == "quiet hours in WA (Wed 08:00–20:00; 20:30 in America/New_York)"
    assert "federal quiet hours (Thu 08:00–21:00; 05:00 in America/Los_Angeles)" in late.reasons


def test_a_texas_property_state_holds_sunday_noon_on_both_texas_clocks() -> None:
    # Texas spans Central and Mountain time: noon in El Paso is 13:00 in Austin
    lead = locate(None, None, "TX")
    assert earliest_send(RULES, lead, local(CHICAGO, 2026, 6, 7, 10)).at == local(
        CHICAGO, 2026, 6, 7, 13
    )


def test_rules_that_leave_no_common_hour_raise_rather_than_drop_the_text() -> None:
    rules = parse_rules(
        [('windows:\n  - id: narrow\n    hours: {daily: "09:00-10:00"}\n', "narrow.yaml")]
    )
    both = Recipient((NY, ZoneInfo("Pacific/Honolulu")), frozenset())
    with pytest.raises(
        NeverAllowed, match="no time to text a recipient in America/New_York, Pacific/Honolulu"
    ):
        earliest_send(rules, both, local(NY, 2026, 6, 10, 12))
