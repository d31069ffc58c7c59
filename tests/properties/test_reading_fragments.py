"""Property: a text composed of labelled fragments reads as exactly the fragments' labels.

Each fragment is one answer a lead might give, in a few spellings (typos, short forms, number
words), with the slots it states. Texts join some of them, in any order, with fillers, emoji,
odd spacing and any case; the reader must return the union of their labels: no slot missed,
none invented, no intent.
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from isa_engine.reading import read

NOW = datetime.fromisoformat("2026-11-23T10:15:00-06:00")

# slot -> [(spellings, value)]; every spelling states the value and nothing else.
FRAGMENTS: dict[str, list[tuple[tuple[str, ...], object]]] = {
    "beds": [
        (("3 bd", "3 beds", "3 bedrooms", "three bedrooms", "3bd", "3 bdrm", "3 br"), 3),
        (("4 beds", "4 bed", "four bedrooms", "4 bdrms"), 4),
        (("2 bedroom", "2 beds", "two bed"), 2),
    ],
    "baths": [
        (("2 ba", "2 baths", "2 bathrooms", "two baths", "2 bath"), 2),
        (("2.5 baths", "2 1/2 baths", "two and a half baths"), 2.5),
    ],
    "location": [
        (("in Round Rock", "in round rock", "around Round Rock"), ["Round Rock"]),
        (("in Pflugerville", "near pflugerville"), ["Pflugerville"]),
        (("in Austin", "in austin"), ["Austin"]),
    ],
    "price_max": [
        (
            (
                *("under 400k", "under $400k", "max 400k", "no more than 400k", "400k max"),
                *("nothing over 400k", "cant go over 400k"),
            ),
            400000,
        ),
        (("up to 350k", "under 350k", "350k tops"), 350000),
    ],
    "preapproval": [
        (("preapproved with chase", "pre-approved already", "we are preapproved"), "yes"),
        (("paying cash", "all cash", "cash"), "cash"),
    ],
    "has_agent": [
        (("no agent yet", "dont have an agent", "we don't have a realtor"), False),
    ],
}
FILLERS = ("", "", "lol", "thanks", "hey", "ok so", "😊", "🏡", "!!", "pls", "ty")
JOINERS = (", ", " ", " - ", "\n", "  ", ". ", " and ", " & ")
CLAUSE_JOINERS = (", ", "\n", ". ", "; ")
NEGATIVE = frozenset(s for spellings, _ in FRAGMENTS["has_agent"] for s in spellings)


@st.composite
def labelled_texts(draw: st.DrawFn) -> tuple[str, dict[str, object]]:
    slots = draw(st.lists(st.sampled_from(sorted(FRAGMENTS)), min_size=1, unique=True))
    parts: list[str] = []
    labels: dict[str, object] = {}
    for slot in slots:
        spellings, value = draw(st.sampled_from(FRAGMENTS[slot]))
        parts.append(draw(st.sampled_from(spellings)))
        labels[slot] = value
    parts = draw(st.permutations(parts))
    text = parts[0]
    for before, part in pairwise(parts):
        # a negation ends at a clause break: "no agent yet, preapproved" (a human needs it too)
        joiners = CLAUSE_JOINERS if before in NEGATIVE else JOINERS
        text += draw(st.sampled_from(joiners)) + part
    head, tail = draw(st.sampled_from(FILLERS)), draw(st.sampled_from(FILLERS))
    text = f"{head} {text} {tail}".strip()
    # Title Case Of Every Word is left out: it makes any word a candidate name ("Paying").
    case = draw(st.sampled_from(("as is", "lower", "upper")))
    text = text.lower() if case == "lower" else text.upper() if case == "upper" else text
    return text, labels


@settings(max_examples=300, deadline=None)
@given(sample=labelled_texts())
def test_a_text_of_labelled_fragments_reads_as_exactly_their_labels(
    sample: tuple[str, dict[str, object]],
) -> None:
    text, labels = sample
    got = read(text, None, NOW).to_json()
    assert got["slots"] == labels, text
    assert got["intents"] == [], text
