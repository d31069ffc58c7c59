"""A lead's clock comes from their phone number unless a better hint is known."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from isa_engine.policy.zones import FALLBACK, lead_now, lead_zone


@pytest.mark.parametrize(
    ("phone", "zone"),
    [
        ("+15125550101", "America/Chicago"),  # Austin
        ("+12065550100", "America/Los_Angeles"),  # Seattle
        ("+16025550100", "America/Phoenix"),  # Arizona keeps no DST
        ("+18085550100", "Pacific/Honolulu"),
        ("+12125550100", "America/New_York"),
    ],
)
def test_the_area_code_gives_the_zone(phone: str, zone: str) -> None:
    assert lead_zone(phone).key == zone


def test_a_known_zone_beats_the_area_code() -> None:
    # a New York lead with a Seattle number
    assert lead_zone("+12065550100", "America/New_York").key == "America/New_York"


@pytest.mark.parametrize("phone", ["+18005550100", "not a phone", ""])
def test_a_number_with_no_single_zone_falls_back(phone: str) -> None:
    assert lead_zone(phone).key == FALLBACK


def test_a_bad_hint_is_ignored() -> None:
    assert lead_zone("+12125550100", "Mars/Olympus").key == "America/New_York"


def test_now_is_shown_on_the_leads_wall_clock() -> None:
    now = datetime(2026, 11, 23, 22, 30, tzinfo=UTC)
    assert lead_now(now, "+12065550100").strftime("%Y-%m-%d %H:%M") == "2026-11-23 14:30"
    assert lead_now(now, "+12065550100") == now
