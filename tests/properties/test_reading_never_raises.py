"""Property: ``read`` never raises, and returns only the engine's slots and intents, well typed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from isa_engine.model import SLOT_CHOICES, SLOT_TYPES, Intent, Reading
from isa_engine.reading import read

EXPECTING = st.one_of(st.none(), st.sampled_from(sorted(SLOT_TYPES)), st.text(max_size=12))
ZONES = st.integers(min_value=-12 * 60, max_value=14 * 60).map(
    lambda m: timezone(timedelta(minutes=m))
)
# hypothesis wants naive bounds and attaches the zone itself.
NOWS = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2099, 12, 31),  # noqa: DTZ001
    timezones=ZONES,
)
# Words the reader reacts to, so random texts reach the interesting paths, not only gibberish.
_VOCAB = (
    "3 2.5 1/2 bd ba bed bath k mil $ 450 350-400k under max around stop no yes not pre approved "
    "cash agent realtor tomorrow at noon pm in round rock 78704 @ gmail.com ? . , - + / "
    "three and a half hundred between st ave call me who is this cancel 👍 🛑 no más"
)
WORDS = st.sampled_from(_VOCAB.split(" "))
TEXTS = st.one_of(st.text(max_size=200), st.lists(WORDS, max_size=25).map(" ".join))


def _check(r: Reading) -> None:
    assert isinstance(r, Reading)
    for name, value in r.slots.items():
        assert name in SLOT_TYPES
        kind = SLOT_TYPES[name]
        if kind is float:
            assert isinstance(value, float | int) and not isinstance(value, bool)
        elif kind is int:
            assert isinstance(value, int) and not isinstance(value, bool)
        else:
            assert isinstance(value, kind)
        if name in SLOT_CHOICES:
            assert value in SLOT_CHOICES[name]
        if name == "location":
            assert isinstance(value, tuple) and all(isinstance(p, str) and p for p in value)
    assert all(isinstance(i, Intent) for i in r.intents)


@settings(max_examples=400, deadline=None)
@given(text=TEXTS, expecting=EXPECTING, now=NOWS)
def test_read_never_raises_and_returns_known_well_typed_values(
    text: str, expecting: str | None, now: datetime
) -> None:
    _check(read(text, expecting, now))


@settings(max_examples=200, deadline=None)
@given(text=TEXTS, now=NOWS)
def test_an_opt_out_reading_carries_no_slots(text: str, now: datetime) -> None:
    r = read(text, None, now)
    if Intent.OPT_OUT in r.intents:
        assert r.slots == {}
