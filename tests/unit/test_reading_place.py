"""Places named in a lead's text: cities, neighbourhoods, counties, states and ZIPs."""

from __future__ import annotations

import pytest

from isa_engine.reading.place import PlaceMatch, find_places


def names(text: str, *, expecting: bool = False) -> list[str]:
    return [p.name for p in find_places(text, expecting=expecting)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pflugerville", ["Pflugerville"]),
        ("28277", ["28277"]),
        ("sloans lake", ["Sloans Lake"]),
        ("east nashville", ["East Nashville"]),
        ("ballard", ["Ballard"]),
        ("its in north park probably", ["North Park"]),
        ("somewhere in south austin", ["South Austin"]),
        ("either tempe or scottsdale", ["Tempe", "Scottsdale"]),
        ("looking in boise, nampa, and maybe meridian", ["Boise", "Nampa", "Meridian"]),
        ("kirkland/bellevue/redmond", ["Kirkland", "Bellevue", "Redmond"]),
        ("capitol hill or queen anne", ["Capitol Hill", "Queen Anne"]),
        ("west seattle", ["West Seattle"]),
        ("Lake Nona please", ["Lake Nona"]),
        ("harlem", ["Harlem"]),
        ("anywhere around 78745 or 78748", ["78745", "78748"]),
        ("new braunfels or seguin", ["New Braunfels", "Seguin"]),
        ("winston-salem", ["Winston-Salem"]),
        ("san antonio area", ["San Antonio"]),
        ("anywhere in travis county", ["Travis County"]),
        ("downtown", ["Downtown"]),
        ("east side", ["East Side"]),
        ("nyc", ["NYC"]),
        ("the bay area", ["Bay Area"]),
        ("78704-1234", ["78704-1234"]),
        ("ocean city nj", ["Ocean City"]),
        ("Lakewood Ranch", ["Lakewood Ranch"]),
        ("denver metro", ["Denver"]),
        ("Columbus OH", ["Columbus"]),
        ("port st lucie", ["Port St Lucie"]),
        ("coeur d'alene or post falls", ["Coeur D'alene", "Post Falls"]),
        ("Buckhead, Midtown, or Decatur", ["Buckhead", "Midtown", "Decatur"]),
        ("prob west end or old fourth ward", ["West End", "Old Fourth Ward"]),
        ("4 bed 2.5 bath in ballantyne or 28277, pre approved w/ wells", ["Ballantyne", "28277"]),
        ("the gulch", ["The Gulch"]),
        ("Cedar Park-ish", ["Cedar Park"]),
        ("Round Rock ISD", ["Round Rock"]),
        ("zip 78641", ["78641"]),
        ("uptown dallas", ["Uptown Dallas"]),
        ("Either the north side or Evanston", ["North Side", "Evanston"]),
        ("Smyrna or La Vergne", ["Smyrna", "La Vergne"]),
    ],
)
def test_an_answer_to_where_takes_each_noun_phrase_as_a_place(
    text: str, expected: list[str]
) -> None:
    assert names(text, expecting=True) == expected


@pytest.mark.parametrize(
    "text",
    [
        "not sure yet",
        "idk",
        "anywhere is fine",
        "just browsing",
        "whatever is cheapest",
        "closer to work",
        "somewhere quiet with good schools",
        "yes",
        "no",
        "stop",
        "unsubscribe",
        "who is this",
        "I'm open to anything",
        "open to suggestions",
        "I'd like to stay in the same school district",
        "same area we're in now",
        "west of 35",
    ],
)
def test_an_answer_to_where_that_names_no_place_gives_none(text: str) -> None:
    assert names(text, expecting=True) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 bd 2 ba somewhere in round rock, under 450k", ["Round Rock"]),
        ("4br 3ba boise 600-700k", ["Boise"]),
        ("looking to buy a 3/2 in cedar park or leander", ["Cedar Park", "Leander"]),
        ("2 bd condo in capitol hill, 400 max", ["Capitol Hill"]),
        ("relocating here in march, need 4 br near the woodlands", ["The Woodlands"]),
        ("moving to charlotte nc in the spring", ["Charlotte"]),
        ("Austin, TX", ["Austin"]),
        ("under 400 in 75035", ["75035"]),
        ("a 3/2 in the 32819 zip", ["32819"]),
        ("the house is at 1418 pecan st in georgetown", ["Georgetown"]),
        ("3 bed in mobile or daphne", ["Mobile", "Daphne"]),
        ("homes in Spring TX", ["Spring"]),
        ("selling in lakewood and buying in arvada", ["Lakewood", "Arvada"]),
        ("Mt. Pleasant or Summerville", ["Mt. Pleasant", "Summerville"]),
        ("need 4 beds. Lake Nona or Winter Park. Budget 550", ["Lake Nona", "Winter Park"]),
        ("LOOKING IN TAMPA", ["Tampa"]),
        ("i live in ohio but want florida", ["Ohio", "Florida"]),
        ("2 bed in south end or dilworth", ["South End", "Dilworth"]),
        ("somewhere in nyc", ["NYC"]),
        ("anywhere in NJ", ["NJ"]),
        ("near lake norman", ["Lake Norman"]),
        ("we're looking around the lake travis area", ["Lake Travis"]),
        ("Need 4bd near Fort Bragg", ["Fort Bragg"]),
        ("stationed at fort hood so killeen or harker heights", ["Killeen", "Harker Heights"]),
        ("Mesa, AZ 85209", ["Mesa", "85209"]),
        ("I'm in columbus but want to move to cincinnati", ["Columbus", "Cincinnati"]),
        ("hi its Parker, we like cary or apex", ["Cary", "Apex"]),
        ("this is Brandon, Frisco or Plano", ["Frisco", "Plano"]),
    ],
)
def test_places_among_other_slots_are_found_by_cue_and_gazetteer(
    text: str, expected: list[str]
) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "i need 3 bed 2 bath under 450k",
        "we're pre-approved for 450",
        "budget is 75035",
        "under 45000",
        "call me at 512-555-0199",
        "the house is at 12345 oak st",
        "want to move in spring",
        "buying a house in cash",
        "we're in the market for a home",
        "in the process rn",
        "hi this is brandon",
        "we're working w someone from keller williams",
        "email me at rgarcia@icloud.com",
        "is the house on sycamore st still available",
        "we want something nice with a pool",
        "tomorrow at 3 works",
        "friday at 10am",
        "thursday or friday",
        "interested in refinancing",
        "something in the 300s",
        "my husband Gilbert and I are looking",
        "prefer brick, no HOA",
        "in a cul-de-sac",
        "Merry Christmas!",
        "we are pre-approved with chase",
        "sounds good thanks!",
        "we need to be near a hospital for work",
    ],
)
def test_slot_words_times_numbers_and_plain_english_are_not_places(text: str) -> None:
    assert names(text) == []


def test_a_match_carries_its_span_into_the_original_text() -> None:
    text = "3 bd in Round Rock, or 78704"
    got = find_places(text, expecting=False)
    assert got == [PlaceMatch("Round Rock", (8, 18)), PlaceMatch("78704", (23, 28))]
    assert [text[a:b] for a, b in (p.span for p in got)] == ["Round Rock", "78704"]


def test_the_name_keeps_the_leads_own_capitals_when_mixed() -> None:
    assert names("McKinney", expecting=True) == ["McKinney"]


def test_a_state_that_qualifies_a_city_is_not_a_second_place() -> None:
    assert names("dallas, texas") == ["Dallas"]
    assert names("moving to texas") == ["Texas"]


def test_a_place_match_is_a_frozen_value() -> None:
    match = PlaceMatch("Katy", (0, 4))
    with pytest.raises(AttributeError):
        match.name = "Other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("en Mesa o Gilbert, como 450", ["Mesa", "Gilbert"]),
        ("busco en Katy, hasta 350k", ["Katy"]),
        ("Riverside o Fontana, que no este muy caro", ["Riverside", "Fontana"]),
        ("ahora en Laredo", ["Laredo"]),
        ("en La Joya o en Del Rio", ["La Joya", "Del Rio"]),
    ],
)
def test_spanish_words_around_places_are_not_places(text: str, want: list[str]) -> None:
    assert [p.name for p in find_places(text, expecting=True)] == want


def test_a_contraction_typed_without_its_apostrophe_is_no_place() -> None:
    assert [p.name for p in find_places("in Austin, cant go over 400k", expecting=True)] == [
        "Austin"
    ]
