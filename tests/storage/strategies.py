"""Hypothesis strategies for the values storage must keep exactly."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import strategies as st

from isa_engine.conversation import Conversation
from isa_engine.model import SLOT_TYPES, OutcomeKind, SlotSource, SlotValue, Status

# PostgreSQL text refuses NUL; lone surrogates are not UTF-8. Neither reaches us
# from Twilio, whose bodies are UTF-8.
TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
    max_size=40,
)
NAMES = TEXT.filter(lambda s: 0 < len(s) <= 100)
INT32 = st.integers(min_value=0, max_value=2**31 - 1)

SLOT_VALUES: st.SearchStrategy[SlotValue] = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
    st.lists(TEXT, max_size=4).map(tuple),
)
SLOT_NAMES = st.one_of(st.sampled_from(sorted(SLOT_TYPES)), TEXT)

AWARE = st.datetimes(
    min_value=datetime(1971, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive by design
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.timezones(),
    allow_imaginary=False,
)
STEPS = st.from_regex(r"[a-z][a-z_]{0,20}", fullmatch=True)
SCRIPTS = st.builds(
    lambda name, version: f"{name}@{version}",
    st.from_regex(r"[a-z][a-z0-9_-]{0,30}", fullmatch=True),
    st.integers(min_value=1, max_value=10_000),
)

conversations = st.builds(
    Conversation,
    script=SCRIPTS,
    contact=NAMES,
    agent=NAMES,
    agent_last=st.none() | NAMES,
    state=st.sampled_from([s.value for s in Status]),
    awaiting=st.none() | STEPS,
    slots=st.dictionaries(SLOT_NAMES, SLOT_VALUES, max_size=8),
    sources=st.dictionaries(SLOT_NAMES, st.builds(SlotSource, INT32, TEXT), max_size=4),
    asked=st.dictionaries(SLOT_NAMES, INT32, max_size=4),
    skipped=st.lists(SLOT_NAMES, max_size=4),
    outcomes=st.lists(st.sampled_from(list(OutcomeKind)), max_size=3),
    turn=INT32,
    seq=INT32,
    resume_status=st.none() | st.sampled_from([s.value for s in Status]),
    final_text_sent=st.booleans(),
    last_inbound_at=st.none() | AWARE,
    last_outbound_at=st.none() | AWARE,
    language=st.sampled_from(["en", "es"]),
    switched_from=st.none() | SCRIPTS,
)


def in_utc(value: datetime | None) -> datetime | None:
    """The same instant in UTC: what storage gives back for any aware datetime."""
    return None if value is None else value.astimezone(UTC)
