"""Bedrooms and bathrooms as the reply reader takes them (SCHEMA.md: beds, baths)."""

from __future__ import annotations

from datetime import datetime

import pytest

from isa_engine.reading import read

NOW = datetime.fromisoformat("2026-11-23T10:15:00-06:00")


def rooms(text: str, expecting: str | None) -> tuple[object, object]:
    slots = read(text, expecting, NOW).slots
    return slots.get("beds"), slots.get("baths")


@pytest.mark.parametrize(
    ("text", "expecting", "beds", "baths"),
    [
        ("3", "beds", 3, None),
        ("four", "beds", 4, None),
        ("three bedrooms", None, 3, None),
        ("3-4", "beds", 3, None),
        ("maybe 3 or 4", "beds", 3, None),
        ("5+ we have a big family lol", "beds", 5, None),
        ("3, we have two kids", "beds", 3, None),
        ("probably 3. maybe 4 if the price is right", "beds", 3, None),
        ("4 or more bedrooms", None, 4, None),
        ("three-bedroom", None, 3, None),
        ("minimum is 3", "beds", 3, None),
        ("THREE BEDROOMS TWO BATHS", "beds", 3, 2.0),
        ("wife and I plus 2 dogs, 2 bd ok", "beds", 2, None),
        ("4-5 bed", None, 4, None),
        ("at least 2 br", None, 2, None),
        ("2bd", None, 2, None),
        ("studio is fine", "beds", 0, None),
        ("one bedroom", None, 1, None),
        ("2 1/2 ba", None, None, 2.5),
        ("two and a half", "baths", None, 2.5),
        ("2.5", "baths", None, 2.5),
        ("1.5 or more", "baths", None, 1.5),
        ("a bath and a half", "baths", None, 1.5),
        ("2 full 1 half", "baths", None, 2.5),
        ("2-3 baths", None, None, 2.0),
        ("one is fine", "baths", None, 1.0),
        ("3 bd 2 ba", None, 3, 2.0),
        ("4br 3ba", None, 4, 3.0),
        ("3bd/2ba", None, 3, 2.0),
        ("3/2", None, 3, 2.0),
        ("3/2/2 with a pool", None, 3, 2.0),
        ("Need 4 beds at least 2.5 baths", None, 4, 2.5),
        ("two and a half baths, three beds", "beds", 3, 2.5),
        ("beds: 3, baths: 2", None, 3, 2.0),
    ],
)
def test_room_counts_are_read_in_their_many_spellings(
    text: str, expecting: str | None, beds: int | None, baths: float | None
) -> None:
    assert rooms(text, expecting) == (beds, baths)


@pytest.mark.parametrize(
    ("text", "expecting"),
    [
        ("I have 2 kids", "beds"),
        ("we have 3 dogs so we need a yard", "beds"),
        ("we have 3 kids 8, 10 and 12", "beds"),
        ("my kids are 3 and 5", "beds"),
        ("we're a family of four", "beds"),
        ("2 adults 3 kids", "beds"),
        ("we need room for 2 cars", "beds"),
        ("2 story please", "beds"),
        ("lot 14 in the new phase", "beds"),
        ("1/2 acre lot", None),
        ("call 214-555-0199", "beds"),
        ("the house is at 1418 pecan st", "beds"),
        ("3", None),
        ("3", "price_max"),
    ],
)
def test_numbers_that_count_something_else_are_not_rooms(text: str, expecting: str | None) -> None:
    assert rooms(text, expecting) == (None, None)


def test_a_bare_number_answers_the_room_question_that_was_asked() -> None:
    assert rooms("2", "baths") == (None, 2.0)
    assert rooms("2", "beds") == (2, None)


def test_a_bed_count_beside_a_count_of_kids_is_still_read() -> None:
    assert rooms("we need 5 bedrooms, we have 4 kids", "beds") == (5, None)


def test_a_clock_time_is_not_a_bedroom_count() -> None:
    assert rooms("tomorrow at 3 works", "beds") == (None, None)


def test_a_room_count_with_a_unit_is_not_a_time() -> None:
    r = read("3 bd 2 ba", "appointment", NOW)
    assert (r.slots.get("beds"), r.slots.get("baths")) == (3, 2.0)
    assert "appointment" not in r.slots


def test_a_two_story_house_with_four_beds_has_four_beds() -> None:
    assert rooms("2 story, 4 bed", "beds") == (4, None)


@pytest.mark.parametrize(
    ("text", "beds", "baths"), [("3bd2ba", 3, 2.0), ("4br3ba under 500", 4, 3.0)]
)
def test_glued_bed_and_bath_counts_are_both_read(text: str, beds: int, baths: float) -> None:
    reading = read(text, None, datetime.fromisoformat("2026-11-23T10:15:00-06:00"))
    assert (reading.slots.get("beds"), reading.slots.get("baths")) == (beds, baths)
