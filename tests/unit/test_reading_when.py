"""Times in a lead's text: a firm time to talk, and how soon they mean to move."""

from __future__ import annotations

from datetime import datetime

import pytest

from isa_engine.reading import read
from isa_engine.reading.when import TimeMatch, find_appointment, find_timeframe

MON = "2026-11-23T10:15:00-06:00"  # a Monday morning, US Central
FRI = "2026-11-20T09:00:00-06:00"


def at(now: str) -> datetime:
    return datetime.fromisoformat(now)


def appointment(text: str, now: str = MON, *, expecting: bool = False) -> str | None:
    match = find_appointment(text, at(now), expecting=expecting)
    return match.value if match else None


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("tomorrow at 3", MON, "2026-11-24T15:00"),
        ("wed at 12:30", MON, "2026-11-25T12:30"),
        ("monday at 5:15pm", MON, "2026-11-23T17:15"),  # said on Monday at 10:15: today
        ("monday at 9:30am", MON, "2026-11-30T09:30"),  # today's has gone: next week's
        ("this monday at 4", MON, "2026-11-23T16:00"),
        ("today at 4:30", MON, "2026-11-23T16:30"),
        ("thursday 2pm", MON, "2026-11-26T14:00"),
        ("sat 9:30am", MON, "2026-11-28T09:30"),
        ("at noon", MON, "2026-11-23T12:00"),
        ("noon on thursday", MON, "2026-11-26T12:00"),
        ("dec 3rd at 2", MON, "2026-12-03T14:00"),
        ("the 30th at 11am", MON, "2026-11-30T11:00"),
        ("on 12/3 at 2", MON, "2026-12-03T14:00"),
        ("tomorrow @ 4", MON, "2026-11-24T16:00"),
        ("3 o'clock tomorrow", MON, "2026-11-24T15:00"),
        ("around 3 tomorrow", MON, "2026-11-24T15:00"),
        ("friday 3ish", MON, "2026-11-27T15:00"),
        ("14:30 thursday", MON, "2026-11-26T14:30"),
        ("tomorrow morning at 7", MON, "2026-11-24T07:00"),
        ("tonight at 8", MON, "2026-11-23T20:00"),
        ("good morning! tomorrow at 3?", MON, "2026-11-24T15:00"),
        ("how about 10:30 tomorrow", MON, "2026-11-24T10:30"),
        ("4:30 works", MON, "2026-11-23T16:30"),  # a clock time needs no question before it
        ("call 214-555-0199 tomorrow at 10am", MON, "2026-11-24T10:00"),
        ("can't do tomorrow, friday at 11 works", MON, "2026-11-27T11:00"),
        ("can we push it to friday at 11am instead", MON, "2026-11-27T11:00"),
        ("we have 2 kids, free tomorrow at 5", MON, "2026-11-24T17:00"),
        ("Tuesday works, maybe around 2?", MON, "2026-11-24T14:00"),
        ("10 a.m. tomorrow", MON, "2026-11-24T10:00"),
        ("noonish tomorrow", MON, "2026-11-24T12:00"),
        ("Mon 11/30 at 10", MON, "2026-11-30T10:00"),
        ("sun at 1", MON, "2026-11-29T13:00"),
        ("the day after tomorrow at 9", MON, "2026-11-25T09:00"),
        ("at 7 tonight", MON, "2026-11-23T19:00"),
        ("at 7 in the morning", MON, "2026-11-24T07:00"),
        ("friday the 4th at 2", MON, "2026-12-04T14:00"),
        ("Thursday. 3pm works", MON, "2026-11-26T15:00"),
        ("Busy tomorrow. How about 3?", MON, "2026-11-23T15:00"),
        ("tmrw around 4ish", MON, "2026-11-24T16:00"),
        ("3 o’clock tomorrow", MON, "2026-11-24T15:00"),
    ],
)
def test_a_day_with_a_clock_time_is_a_firm_appointment(text: str, now: str, expected: str) -> None:
    assert appointment(text, now) == expected


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("monday at 9", MON, "2026-11-30T09:00"),  # said on a Monday: next week's
        ("next tuesday at 10", MON, "2026-12-01T10:00"),  # this week's Tuesday is "tuesday"
        ("next friday at 1pm", FRI, "2026-11-27T13:00"),  # said on Friday: a week on
        ("next week tuesday at 3", MON, "2026-12-01T15:00"),
        ("jan 5 at 10am", "2026-12-20T10:00:00-06:00", "2027-01-05T10:00"),  # year boundary
        ("1/15 at 3", MON, "2027-01-15T15:00"),
        ("tomorrow at 9am", "2026-12-31T18:00:00-06:00", "2027-01-01T09:00"),
        ("march 8 at 3pm", "2027-03-06T10:00:00-06:00", "2027-03-08T15:00"),  # over a DST change
        ("tomorrow at 10", "2027-11-06T10:00:00-05:00", "2027-11-07T10:00"),  # DST ends that night
        ("at 3", "2026-11-23T16:00:00-06:00", "2026-11-24T15:00"),  # 3pm has passed today
        ("today at 9", MON, "2026-11-23T21:00"),  # 9am has passed: 9pm
        ("call me in an hour", MON, "2026-11-23T11:15"),
    ],
)
def test_days_resolve_against_now_in_the_leads_own_time(text: str, now: str, expected: str) -> None:
    assert appointment(text, now) == expected


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("tomorrow afternoon", "2026-11-24"),
        ("thursday", "2026-11-26"),
        ("tomorrow between 2 and 4", "2026-11-24"),
        ("tomorrow 2-4pm", "2026-11-24"),
        ("3 or 4 tomorrow", "2026-11-24"),
        ("tomorrow at 3:30 or later", "2026-11-24"),
        ("friday after 5", "2026-11-27"),
        ("wed between 1 and 3pm", "2026-11-25"),
        ("4pm or 5pm tomorrow", "2026-11-24"),
        ("any time tomorrow", "2026-11-24"),
    ],
)
def test_a_day_without_a_firm_time_gives_only_the_day(text: str, day: str) -> None:
    match = find_appointment(text, at(MON), expecting=True)
    assert match is not None
    assert (match.value, match.day_only) == (None, day)


@pytest.mark.parametrize(
    "text", ["after 5", "call me after 5", "before noon", "anytime after 3", "sometime next week"]
)
def test_an_open_range_is_no_appointment(text: str) -> None:
    assert find_appointment(text, at(MON), expecting=True) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3", "2026-11-23T15:00"), ("lets do 2", "2026-11-23T14:00"), ("10", "2026-11-24T10:00"),
     ("5 works for me", "2026-11-23T17:00"), ("sounds good, 4", "2026-11-23T16:00")],
)  # fmt: skip
def test_a_bare_hour_is_a_time_only_when_a_time_was_asked_for(text: str, expected: str) -> None:
    assert appointment(text, expecting=True) == expected
    assert appointment(text, expecting=False) is None


@pytest.mark.parametrize(
    "text",
    ["3 bd 2 ba", "450k", "3/2", "78704", "2027", "at least 3 bedrooms", "2 weeks", "5+ beds",
     "under 400 in 75035", "we have 2 kids", "2.5 baths"],
)  # fmt: skip
def test_slot_numbers_are_never_read_as_times(text: str) -> None:
    assert appointment(text, expecting=True) is None


def test_the_span_covers_the_day_and_the_time() -> None:
    text = "ok so thursday at 6pm works"
    match = find_appointment(text, at(MON), expecting=False)
    assert match == TimeMatch("2026-11-26T18:00", None, (6, 21))


def timeframe(text: str, now: str, *, expecting: bool = True) -> str | None:
    match = find_timeframe(text, at(now), expecting=expecting)
    return match.value if match else None


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("asap", MON, "0-3"),
        ("now", MON, "0-3"),
        ("this month", MON, "0-3"),
        ("in the next month or two", MON, "0-3"),
        ("next 2 months", MON, "0-3"),
        ("lease is up next month", MON, "0-3"),
        ("within 90 days", MON, "0-3"),
        ("a couple weeks", MON, "0-3"),
        ("need to move now", MON, "0-3"),
        ("in 6 months", MON, "3-6"),
        ("3-6 months", MON, "3-6"),
        ("a few months", MON, "3-6"),
        ("8-10 months", MON, "6-12"),
        ("maybe 8 months or so", MON, "6-12"),
        ("within a year", MON, "6-12"),
        ("sometime in the next year", MON, "6-12"),
        ("at least 6 months", MON, "6-12"),
        ("just browsing", MON, "12+"),
        ("just browsing for now", MON, "12+"),
        ("a year or two", MON, "12+"),
        ("prob a year or two out", MON, "12+"),
        ("not for another couple years", MON, "12+"),
        ("next year", MON, "12+"),
        ("in 2028", MON, "12+"),
        ("no rush", MON, "12+"),
        ("6 months to a year", MON, "6-12"),
        ("idk maybe a year", MON, "6-12"),
        ("60-90 days", MON, "0-3"),
        ("in the next 6-8 months", MON, "6-12"),
        ("within the year", MON, "6-12"),
        ("springtime", MON, "3-6"),
        ("not anytime soon", MON, "12+"),
    ],
)
def test_spoken_durations_fall_in_their_bucket(text: str, now: str, expected: str) -> None:
    assert timeframe(text, now) == expected


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("january", "2026-11-15T10:00:00-06:00", "0-3"),
        ("hoping to list in january", "2026-09-10T10:00:00-05:00", "3-6"),
        ("relocating in february", "2026-12-05T10:00:00-06:00", "0-3"),
        ("lease is up in february", "2026-10-20T10:00:00-05:00", "3-6"),
        ("january", "2026-12-28T10:00:00-06:00", "0-3"),  # a january said in December
        ("our lease ends in august", MON, "6-12"),
        ("in may", MON, "3-6"),
        ("march 2027", MON, "3-6"),
        ("december", "2026-12-10T10:00:00-06:00", "0-3"),  # this very month
        ("probably in the spring", "2026-11-10T10:00:00-06:00", "3-6"),
        ("hoping to move this spring", "2026-12-10T10:00:00-06:00", "3-6"),
        ("sometime next summer", "2026-10-01T10:00:00-05:00", "6-12"),
        ("summer", "2027-07-10T10:00:00-05:00", "0-3"),  # we are in it
        ("in the fall", "2026-11-23T10:00:00-06:00", "6-12"),  # this fall is nearly over
        ("winter", "2026-11-23T10:00:00-06:00", "0-3"),
        ("winter", "2026-08-01T10:00:00-05:00", "3-6"),
        ("end of summer", MON, "6-12"),
        ("early next year", MON, "0-3"),
        ("after the holidays", "2026-11-30T10:00:00-06:00", "0-3"),
        ("want something by christmas", "2026-10-05T10:00:00-05:00", "0-3"),
        ("by the end of the year", "2026-09-01T10:00:00-05:00", "3-6"),
        ("spring of 2027", MON, "3-6"),
        ("first of the year", MON, "0-3"),
        ("lease ends 6/30", MON, "6-12"),
        ("our kids finish school in may", MON, "3-6"),
    ],
)
def test_months_and_seasons_resolve_against_now(text: str, now: str, expected: str) -> None:
    assert timeframe(text, now, expecting=False) == expected


@pytest.mark.parametrize(
    "text",
    ["not sure", "idk", "not sure on timing", "we may move", "not looking rn",
     "lived here 10 years", "2 year old house", "3 bd 2 ba in winter park", "dec 3 at 4:30pm",
     "talking to a lender", "prices fall", "yes", "we have a 2 year lease", "once a month",
     "hey sorry yesterday got crazy", "a month ago we started looking"],
)  # fmt: skip
def test_texts_that_state_no_timing_give_none(text: str) -> None:
    assert timeframe(text, MON, expecting=False) is None


def test_a_bare_number_is_months_only_when_timing_was_asked() -> None:
    assert timeframe("6", MON, expecting=True) == "3-6"
    assert timeframe("6", MON, expecting=False) is None


def test_the_first_timing_stated_wins_and_its_span_is_given() -> None:
    text = "cash, want to move in march, maybe sooner"
    match = find_timeframe(text, at(MON), expecting=False)
    assert match is not None
    assert (match.value, text[match.span[0] : match.span[1]]) == ("3-6", "in march")


NOW_MONDAY = datetime.fromisoformat("2026-11-23T10:15:00-06:00")


@pytest.mark.parametrize(
    "text",
    [
        "can we stop at 2 houses on saturday",
        "looking 4 a 3 bed 2 bath",
        "we saw about 5 homes last weekend",
    ],
)
def test_counted_things_and_text_speak_are_not_clock_times(text: str) -> None:
    found = find_appointment(text, NOW_MONDAY, expecting=False)
    assert found is None or found.value is None


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("4p tomorrow", "2026-11-24T16:00"),
        ("tomorrow at 4 p", "2026-11-24T16:00"),
        ("friday 10a", "2026-11-27T10:00"),
    ],
)
def test_a_lone_a_or_p_is_am_or_pm_when_it_closes_the_time(text: str, want: str) -> None:
    found = find_appointment(text, NOW_MONDAY, expecting=True)
    assert found is not None and found.value == want


def test_a_past_year_is_history_not_a_timeframe() -> None:
    assert find_timeframe("we sold our last house in 2019", NOW_MONDAY, expecting=False) is None


@pytest.mark.parametrize(
    ("text", "day_given"),
    [
        ("can we do 2pm instead?", False),
        ("4:30 works", False),
        ("friday at 2pm instead", True),
        ("tomorrow at 3", True),
    ],
)
def test_a_clock_time_without_a_day_says_so(text: str, day_given: bool) -> None:
    found = find_appointment(text, at(MON), expecting=True)
    assert found is not None and found.value is not None and found.day_given is day_given


def test_a_weekday_named_on_that_day_is_today_while_the_time_is_ahead() -> None:
    thursday_night = "2026-12-03T02:16:00-06:00"
    assert appointment("can dana call me thursday at 5:30pm?", thursday_night) == (
        "2026-12-03T17:30"
    )
    found = find_appointment("thursday works", at(thursday_night), expecting=True)
    assert found is not None and found.day_only == "2026-12-03"


@pytest.mark.parametrize(
    "text",
    [
        "we bought our first place in march, so all good",
        "my dad passed in june, the house is empty now",
        "we parted ways with our realtor in october",
        "is a 30 year fixed smarter",
        "need 2 yrs of returns for the lender",
    ],
)
def test_history_and_loan_terms_are_no_timeframe(text: str) -> None:
    assert find_timeframe(text, NOW_MONDAY, expecting=False) is None


def test_a_month_still_ahead_is_a_timeframe() -> None:
    assert find_timeframe("hoping to close in march", NOW_MONDAY, expecting=False) is not None


@pytest.mark.parametrize(
    ("text", "want"),
    [("a fin de mes", "0-3"), ("este mes", "0-3"), ("honestly right now lol", "0-3")],
)
def test_spanish_without_a_marker_and_padded_bare_answers_give_a_timeframe(
    text: str, want: str
) -> None:
    assert read(text, "timeframe", NOW_MONDAY).slots.get("timeframe") == want
