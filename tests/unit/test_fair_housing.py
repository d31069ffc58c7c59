"""The Fair Housing lint for outbound templates (COMPLIANCE.md #16)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isa_engine.policy import fair_housing
from isa_engine.policy.fair_housing import lint

BANNED_PHRASES = [
    "It's in a safe neighborhood!",
    "Such a safe neighbourhood.",
    "Safe area, close to shops.",
    "A family-friendly street.",
    "Very family friendly.",
    "Kid-friendly layout.",
    "Perfect for young couples.",
    "Ideal for empty nesters.",
    "Great for a growing family!",
    "Perfect for a single woman.",
    "An exclusive community off Route 9.",
    "Quiet, exclusive neighborhood.",
    "No kids, please.",
    "No children under 12.",
    "Adults only building.",
    "Walking distance to church!",
    "Walk to church on Sundays.",
    "Close to churches and shops.",
    "Near the synagogue.",
    "Christian community.",
    "A real bachelor pad.",
    "Women only.",
    "Able-bodied tenants preferred.",
    "No wheelchairs.",
    "Must be able to climb stairs.",
    "Low crime, high value.",
    "Crime-free area.",
    "It's in an up and coming area.",
    "English speaking only.",
    "Great schools nearby.",
    "An integrated neighborhood.",
    "Not suitable for children.",
]

PROTECTED_TRAIT_QUESTIONS = [
    # familial status
    "Do you have kids?",
    "Do you have any children?",
    "Will your kids be living with you?",
    "Any children?",
    "any little ones at home?",
    "How many kids do you have?",
    "How many people will be living in the home?",
    "Who will be living with you?",
    "How old are your kids?",
    "Are you married?",
    "Are you single or married?",
    "Are you pregnant?",
    "Are you expecting?",
    "Are you planning to start a family?",
    "What's your family situation?",
    "Will your husband be on the call?",
    "Is your wife joining you?",
    # national origin, race, colour
    "Where are you from originally?",
    "Where are you from?",
    "Where were you born?",
    "What's your nationality?",
    "What country are you from?",
    "Are you a US citizen?",
    "Are you Hispanic?",
    "Do you speak English?",
    "Is English your first language?",
    "What's your background?",
    # religion
    "What church do you go to?",
    "Which religion are you?",
    "Are you Christian?",
    "Do you attend church?",
    "Would you like to be near your church?",
    # sex
    "What's your gender?",
    "Are you a man or a woman?",
    "Should I say Mr. or Mrs.?",
    # disability
    "Do you have a disability?",
    "Does anyone in your household have special needs?",
    "Are you disabled?",
    "Do you use a wheelchair?",
    "Any medical conditions we should know about?",
    # age
    "How old are you?",
    "Are you retired?",
]

MUST_PASS = [
    "How many bedrooms are you looking for?",
    "How many bedrooms do you need?",
    "And how many bathrooms?",
    "Which areas or neighborhoods are you looking in?",
    "Is there a city, neighborhood or zip code you have in mind?",
    "Where are you moving from?",
    "Where are you looking to buy?",
    "What price range are you hoping to stay under?",
    "Are you pre-approved with a lender, or paying cash?",
    "Are you working with a real estate agent already?",
    "When are you hoping to move?",
    "Hi {{ contact }}! This is {{ agent }}'s assistant. You asked about homes for sale in the "
    "area. Are you still looking? Reply STOP to opt out.",
    "Great question! {{ agent }} is the best person to answer that, including the schools.",
    "Do you need a single-story home or is a second floor okay?",
    "Would you like a home with a big backyard?",
    "It has a family room and a master bedroom.",
    "Is it just the home search you need help with, or selling too?",
    "Will anyone else be part of the decision?",
    "What features matter most to you?",
    "Dana can tell you about the neighborhood when you talk.",
    "An exclusive listing just came up.",  # a listing agreement, not a community
    "need 4 bedrooms for the kids",  # what a lead says; lint is for our templates
    "Would a call tomorrow work?",
    "Reply STOP to opt out or HELP for help.",
]


@pytest.mark.parametrize("text", BANNED_PHRASES)
def test_a_banned_phrase_is_reported(text: str) -> None:
    problems = lint(text)
    assert problems, text
    assert all(p.startswith("banned phrase") for p in problems), problems


@pytest.mark.parametrize("text", PROTECTED_TRAIT_QUESTIONS)
def test_a_question_about_a_protected_trait_is_reported(text: str) -> None:
    problems = lint(text)
    assert any(p.startswith("asks about a protected trait") for p in problems), (text, problems)


@pytest.mark.parametrize("text", MUST_PASS)
def test_an_ordinary_template_has_no_problem(text: str) -> None:
    assert lint(text) == []


def test_the_linter_rejects_a_step_asking_do_you_have_kids() -> None:
    # COMPLIANCE.md #16, the checklist's own test.
    assert lint("Great! Do you have kids?") == [
        'asks about a protected trait (familial status): "Do you have kids"'
    ]


def test_a_problem_names_the_phrase_as_written_and_the_trait() -> None:
    assert lint("Family-Friendly and walking distance to church") == [
        'banned phrase "Family-Friendly" (familial status)',
        'banned phrase "walking distance to church" (religion)',
    ]


def test_problems_come_in_text_order_each_once() -> None:
    problems = lint("Are you married? No kids? Are you married?")
    assert problems == [
        'asks about a protected trait (familial status): "Are you married"',
        'banned phrase "No kids" (familial status)',
    ]


def test_phrases_match_whole_words_only() -> None:
    assert lint("nokids") == []
    assert lint("unsafe area") == [
        'banned phrase "unsafe area" (steering by race, colour or national origin)'
    ]
    assert lint("bachelors") == []


def test_curly_apostrophes_do_not_hide_a_question() -> None:
    assert lint("What’s your nationality?") != []


def test_the_lists_are_data_and_load_once() -> None:
    assert fair_housing._checks() is fair_housing._checks()
    traits = {c.trait for c in fair_housing._checks()}
    assert {"familial status", "religion", "sex", "disability"} <= traits


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "expected a mapping"),
        ({"phrases": "x", "questions": []}, "phrases: expected a list of groups"),
        ({"phrases": [{"trait": "t", "items": []}], "questions": []}, "items"),
        ({"phrases": [], "questions": [{"trait": "t", "patterns": ["(x"]}]}, "does not compile"),
        ({"phrases": [], "questions": [{"patterns": ["x"]}]}, "each with a trait"),
        ({"phrases": [], "questions": [{"trait": "t", "patterns": ["Kids"]}]}, "lower case"),
    ],
)
def test_a_broken_lists_file_is_refused_with_where_and_what(doc: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        fair_housing.parse_checks(doc, "fair_housing.yaml")


# The lint scans a text once with a loose union of every pattern and runs the exact ones
# only on a hit: the union must never miss what an exact pattern finds.
_PIECES = [*BANNED_PHRASES, *PROTECTED_TRAIT_QUESTIONS, *MUST_PASS]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(_PIECES),
            st.sampled_from([w for p in _PIECES for w in p.split()]),
            st.text(alphabet="abcdefghijklmnopqrstuvwxyz -'’.,!?0123456789", max_size=12),
        ),
        max_size=6,
    ).map(" ".join)
)
def test_the_prefilter_misses_nothing_an_exact_pattern_finds(text: str) -> None:
    lowered = text.lower().replace("\u2019", "'")
    exact = any(check.pattern.search(lowered) for check in fair_housing._checks())
    if exact:
        assert fair_housing._prefilter().search(lowered)
        assert lint(text)


def test_every_listed_phrase_and_question_passes_the_prefilter() -> None:
    for text in [*BANNED_PHRASES, *PROTECTED_TRAIT_QUESTIONS]:
        assert fair_housing._prefilter().search(text.lower().replace("\u2019", "'")), text
