"""The console's values as people say them (api/web/humane.py, the templates' filters)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from api.web import humane
from api.web.render import templates

CHICAGO = ZoneInfo("America/Chicago")


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("baths", 2.0, "2 baths"),
        ("baths", 2.5, "2.5 baths"),
        ("baths", 1, "1 bath"),
        ("beds", 3, "3 beds"),
        ("beds", 1, "1 bed"),
        ("beds", 0, "studio"),
        ("timeframe", "3-6", "3–6 months"),
        ("timeframe", "0-3", "0–3 months"),
        ("timeframe", "12+", "12+ months"),
        ("price_max", 450000, "$450,000"),
        ("price_min", 300000, "$300,000"),
        ("location", ["Round Rock", "Hutto"], "Round Rock or Hutto"),
        ("has_agent", False, "no"),
        ("preapproval", "in_progress", "in progress (talking to a lender)"),
        ("preapproval", "cash", "paying cash"),
        ("lead_type", "both", "buy and sell"),
        ("email", "ben@example.com", "ben@example.com"),
        ("beds", None, "—"),
    ],
)
def test_a_slot_value_reads_as_words(name: str, value: object, said: str) -> None:
    assert humane.slot_value(value, name) == said


def test_an_appointment_is_the_leads_own_wall_clock_marked_with_their_zone() -> None:
    said = humane.slot_value
    assert said("2026-12-04T10:00", "appointment", CHICAGO) == "Fri Dec 4, 10:00 AM CST"
    assert said("2026-07-03T15:30", "appointment", CHICAGO) == "Fri Jul 3, 3:30 PM CDT"
    assert humane.slot_value("2026-12-04T10:00", "appointment") == "Fri Dec 4, 10:00 AM"
    assert humane.slot_value("friday-ish", "appointment", CHICAGO) == "friday-ish"


def test_a_stored_utc_time_shows_on_the_leads_clock_with_the_zone_or_in_utc() -> None:
    at = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
    assert humane.when(at, CHICAGO) == "Fri Dec 4, 10:00 AM CST"
    assert humane.when(at) == "Fri Dec 4, 4:00 PM UTC"
    assert humane.when("2026-12-04T16:00:00", ZoneInfo("America/Los_Angeles")) == (
        "Fri Dec 4, 8:00 AM PST"
    )
    assert humane.when(None) == "—"


def test_the_leads_zone_comes_from_their_zone_hint_else_their_number() -> None:
    assert humane.zone("+12125550100").key == "America/New_York"
    assert humane.zone({"phone": "+15125550177"}).key == "America/Chicago"
    hinted = SimpleNamespace(phone="+15125550177", timezone="America/Denver")
    assert humane.zone(hinted).key == "America/Denver"


def test_a_number_reads_as_people_write_it() -> None:
    assert humane.phone("+15125550177") == "(512) 555-0177"
    assert humane.phone("+442071838750") == "+44 20 7183 8750"
    assert humane.phone("not a number") == "not a number"
    assert humane.phone(None) == "—"


def test_the_templates_use_these_filters() -> None:
    env = templates.env
    rendered = env.from_string(
        "{{ 2.0 | slot('baths') }} · {{ '3-6' | slot('timeframe') }} · {{ 'baths' | slot_label }}"
        " · {{ at | when(phone | zone) }}"
    ).render(at=datetime(2026, 12, 4, 16, 0, tzinfo=UTC), phone="+15125550177")
    assert rendered == "2 baths · 3–6 months · Bathrooms · Fri Dec 4, 10:00 AM CST"
