"""Budget and home value as the reply reader takes them (SCHEMA.md: price_min, price_max)."""

from __future__ import annotations

from datetime import datetime

import pytest

from isa_engine.reading import read

NOW = datetime.fromisoformat("2026-11-23T10:15:00-06:00")


def prices(text: str, expecting: str | None) -> tuple[object, object]:
    slots = read(text, expecting, NOW).slots
    return slots.get("price_min"), slots.get("price_max")


@pytest.mark.parametrize(
    ("text", "expecting", "low", "high"),
    [
        ("450k", "price_max", None, 450_000),
        ("under 400", "price_max", None, 400_000),
        ("around 450", None, None, 450_000),
        ("around 325", "price_max", None, 325_000),
        ("700ish", "price_max", None, 700_000),
        ("like 380 max", "price_max", None, 380_000),
        ("$850k tops", None, None, 850_000),
        ("$275,000", "price_max", None, 275_000),
        ("$1,250,000", None, None, 1_250_000),
        ("no more than 1.2 mil", None, None, 1_200_000),
        ("about 1.2 mil", "price_max", None, 1_200_000),
        ("1.5m max", None, None, 1_500_000),
        ("up to 2 mil", None, None, 2_000_000),
        ("under half a mil", None, None, 500_000),
        ("four fifty tops", "price_max", None, 450_000),
        ("350-400k", "price_max", 350_000, 400_000),
        ("300k to 350k", None, 300_000, 350_000),
        ("between 500 and 550", "price_max", 500_000, 550_000),
        ("between 400 and 450k", None, 400_000, 450_000),
        ("between 3 and 4 hundred", "price_max", 300_000, 400_000),
        ("Budget 550-650", None, 550_000, 650_000),
        ("3bd/2ba in olathe. 300-350. no agent", "beds", 300_000, 350_000),
        ("over 500k", "price_max", 500_000, None),
        ("at least 400 but no more than 500", "price_max", 400_000, 500_000),
        ("350k or less", None, None, 350_000),
        ("450 is our max but 400 would be ideal", "price_max", None, 450_000),
        ("in the 400s", "price_max", 400_000, 500_000),
        ("around 1 million", "price_max", None, 1_000_000),
        ("up to a million", None, None, 1_000_000),
        ("$350k-$400k", None, 350_000, 400_000),
        ("between 3-400k", None, 300_000, 400_000),
        ("four hundred fifty thousand", None, None, 450_000),
        ("prob 500 but could stretch to 550", "price_max", None, 550_000),
        ("price range 300-400", None, 300_000, 400_000),
        ("1.2", "price_max", None, 1_200_000),
        ("3 bed 2 bath built after 2000 under 500k", None, None, 500_000),
    ],
)
def test_budgets_are_read_with_thousands_millions_and_ranges(
    text: str, expecting: str | None, low: int | None, high: int | None
) -> None:
    assert prices(text, expecting) == (low, high)


@pytest.mark.parametrize(
    ("text", "expecting"),
    [
        ("HOA under 200/mo please", "price_max"),
        ("monthly payment around 2500", "price_max"),
        ("our mortgage payment is 2100", "price_max"),
        ("credit score is 680 if that matters", "preapproval"),
        ("we make 120k a year", "price_max"),
        ("we have 50k for a down payment", "price_max"),
        ("looking at homes under 2000 sq ft", None),
        ("built in 1998", None),
        ("call me at 512-555-0123", None),
        ("78704", "location"),
        ("we have 3 kids", "price_max"),
        ("8-10 months", "timeframe"),
        ("2019-2021 build", None),
        ("2BR 1BA apartment, under $2000/month", "lead_type"),
        ("about 2,000 sqft", None),
    ],
)
def test_numbers_that_are_not_a_budget_are_ignored(text: str, expecting: str | None) -> None:
    assert prices(text, expecting) == (None, None)


def test_a_zip_code_beside_a_budget_is_not_part_of_it() -> None:
    assert prices("under 400 in 75035", "price_max") == (None, 400_000)


def test_a_stated_home_value_fills_home_value_not_the_budget() -> None:
    r = read("probably around 450", "home_value", NOW)
    assert r.slots.get("home_value") == 450_000
    assert "price_max" not in r.slots


def test_what_a_seller_expects_to_get_is_a_home_value() -> None:
    r = read("the house we're selling should get around 600", None, NOW)
    assert r.slots.get("home_value") == 600_000
    assert "price_max" not in r.slots


def test_a_home_value_range_gives_its_middle() -> None:
    assert read("500-550", "home_value", NOW).slots.get("home_value") == 525_000


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("nothing over 425k please", 425_000),
        ("we cant go past 500", 500_000),
        ("stop sending me houses above 350k", 350_000),
        ("never over 610 for us", 610_000),
    ],
)
def test_a_negated_lower_bound_is_a_ceiling(text: str, want: int) -> None:
    slots = read(text, "price_max", NOW).slots
    assert slots.get("price_max") == want
    assert "price_min" not in slots


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("low 300s", None, 325_000),
        ("mid 400s", None, 450_000),
        ("high 500s", None, 575_000),
        ("a mediados de los 400", None, 450_000),
        ("de 200 a 240 mil", 200_000, 240_000),
        ("entre 310 y 330 mil", 310_000, 330_000),
    ],
)
def test_parts_of_a_hundred_and_spanish_ranges(text: str, low: int | None, high: int) -> None:
    slots = read(text, "price_max", NOW).slots
    assert slots.get("price_min") == low
    assert slots.get("price_max") == high
