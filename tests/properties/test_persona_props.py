"""Properties of the persona guard over generated text (hypothesis).

It never raises; the agent's last name as a word is always refused; so is
"this is {first}." anywhere; and it refuses at least every text the corpus
scorer (../shared/corpus/score.py) counts as a persona fault.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isa_engine.persona import check

SCORE_PY = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "score.py"

# A copy of the corpus scorer's persona check, so the property runs without the
# shared corpus; test_the_copy_of_the_scorer_is_current keeps it honest.
SCORER_PERSONA = [
    r"\bi\s*(?:['’]?m|am)\s+(?:a|an|the|your)?\s*(?:licensed\s+)?(?:real\s*estate\s+)?(?:agent|realtor|broker)\b",
    r"\bi\s*(?:['’]?m|am)\s+licensed\b",
    r"\bas\s+(?:a|your)\s+(?:realtor|agent|broker)\b",
]


def scorer_faults(text: str, first: str, last: str) -> list[str]:
    """What ../shared/corpus/score.py persona_faults() reports for ``text``."""
    t = text.lower()
    faults = [p for p in SCORER_PERSONA if re.search(p, t)]
    if last and re.search(rf"\b{re.escape(last.lower())}\b", t):
        faults.append("agent last name")
    if first and re.search(
        rf"\b(?:this is|it['’]?s|i['’]?m|i am)\s+{re.escape(first.lower())}\b(?!\s*['’]s)", t
    ):
        faults.append("speaks as the agent")
    return faults


FIRST_NAMES = st.sampled_from(
    ["Dana", "Marcus", "Priya", "Rob", "Zoë", "José", "Siobhán", "Mary Beth", "Jo", "Li", "Amélie"]
)
LAST_NAMES = st.one_of(
    st.sampled_from(
        ["Whitfield", "Bell", "O'Neill", "García", "Van Der Berg", "Lindqvist", "Nguyễn"]
    ),
    st.from_regex(r"[A-Z][a-z]{1,10}(?:-[A-Z][a-z]{1,8})?", fullmatch=True),
)
ANY_TEXT = st.text(max_size=200)
# No deadline: a new agent name compiles that agent's rules once (~20 ms), and
# the suite shares the machine with other test runs.


@settings(max_examples=300, deadline=None)
@given(text=ANY_TEXT, first=st.text(max_size=20), last=st.none() | st.text(max_size=20))
def test_check_never_raises_on_any_unicode(text: str, first: str, last: str | None) -> None:
    verdict = check(text, first, last)
    assert verdict.ok == (not verdict.reasons)
    assert all(isinstance(r, str) and r for r in verdict.reasons)


@settings(max_examples=300, deadline=None)
@given(
    before=ANY_TEXT,
    after=ANY_TEXT,
    first=FIRST_NAMES,
    last=LAST_NAMES,
    case=st.sampled_from([str, str.upper, str.lower, str.title]),
)
def test_any_text_with_the_agents_last_name_as_a_word_is_refused(
    before: str, after: str, first: str, last: str, case: object
) -> None:
    shown = case(last)  # type: ignore[operator]
    verdict = check(f"{before} {shown} {after}", first, last)
    assert not verdict.ok
    assert f"names the agent's last name ({last})" in verdict.reasons


@settings(max_examples=300, deadline=None)
@given(before=ANY_TEXT, after=ANY_TEXT, first=FIRST_NAMES, this=st.sampled_from(["this", "This"]))
def test_any_text_saying_this_is_the_agent_is_refused(
    before: str, after: str, first: str, this: str
) -> None:
    verdict = check(f"{before} {this} is {first}. {after}", first, None)
    assert not verdict.ok
    assert any(r.startswith("claims to be the agent") for r in verdict.reasons)


FRAGMENTS = st.sampled_from(
    [
        "I",
        "i",
        "'m",
        "’m",
        "m",
        "am",
        " am",
        "I am ",
        "I'm ",
        "i’m ",
        "im ",
        " ",
        "  ",
        "\n",
        "a ",
        "an ",
        "the ",
        "your ",
        "licensed ",
        "real estate ",
        "realestate ",
        "agent",
        "realtor",
        "broker",
        "as ",
        "as a ",
        "as your ",
        "this is ",
        "it's ",
        "its ",
        "it’s ",
        "'s",
        "’s",
        " 's",
        ".",
        ",",
        "!",
        "?",
        "\u0301",
        "\u200b",
        "\u00a0",
        "-",
        "’",
        "'",
        "DANA",
        "Dana",
        "dana",
        "Whitfield",
        "WHITFIELD",
        "assistant",
        "not ",
        "here",
    ]
)


@settings(max_examples=1500, deadline=None)
@given(
    parts=st.lists(st.one_of(FRAGMENTS, st.text(max_size=2)), max_size=14),
    names=st.sampled_from([("Dana", "Whitfield"), ("Marcus", "Bell"), ("José", "García")]),
)
def test_whatever_the_corpus_scorer_flags_the_guard_refuses(
    parts: list[str], names: tuple[str, str]
) -> None:
    first, last = names
    text = "".join(parts)
    if scorer_faults(text, first, last):
        assert not check(text, first, last).ok, text


TOPICS = st.sampled_from(
    [
        "the market",
        "pricing",
        "rates",
        "the schools",
        "the contract",
        "offers",
        "the neighborhood",
        "financing",
        "home values",
        "the inspection",
        "safety",
        "what to offer",
        "whether now is a good time to buy",
        "the HOA and taxes",
    ]
)
REFERRALS = st.sampled_from(
    [
        "Great question! {first} can walk you through {topic} when you talk.",
        "{first} will be able to answer questions about {topic}.",
        "{first} is the best person to ask about {topic}.",
        "I'll ask {first} to go over {topic} with you.",
        "I can't advise on {topic}, but {first} can.",
    ]
)


@settings(max_examples=200, deadline=None)
@given(first=FIRST_NAMES, last=LAST_NAMES, topic=TOPICS, template=REFERRALS)
def test_referring_any_topic_to_the_agent_passes(
    first: str, last: str, topic: str, template: str
) -> None:
    text = template.format(first=first, topic=topic)
    assert check(text, first, last).ok, text


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.one_of(FRAGMENTS, st.text(max_size=3)), max_size=14))
def test_curly_or_straight_apostrophes_get_the_same_verdict(parts: list[str]) -> None:
    text = "".join(parts)
    curly = text.replace("'", "\u2019")
    assert check(text, "Dana", "Whitfield") == check(curly, "Dana", "Whitfield")


def test_the_copy_of_the_scorer_is_current() -> None:
    if not SCORE_PY.is_file():
        pytest.skip("the shared corpus is not beside this checkout")
    source = SCORE_PY.read_text(encoding="utf-8")
    for pattern in SCORER_PERSONA:
        assert f'r"{pattern}"' in source
    assert "(?:this is|it['’]?s|i['’]?m|i am)" in source
