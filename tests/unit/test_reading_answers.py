"""Answers to the script's questions: lead type, preapproval, agent, email, address, yes / no."""

from __future__ import annotations

from datetime import datetime

import pytest

from isa_engine.model import Intent
from isa_engine.reading import read

NOW = datetime.fromisoformat("2026-11-23T10:15:00-06:00")


def slot(text: str, expecting: str | None, name: str) -> object:
    return read(text, expecting, NOW).slots.get(name)


@pytest.mark.parametrize(
    ("text", "expecting", "want"),
    [
        ("buying", "lead_type", "buy"),
        ("first time buyer here! 🙋‍♀️", "lead_type", "buy"),
        ("looking to sell actually", "lead_type", "sell"),
        ("want to list my dads house", None, "sell"),
        ("both lol gotta sell ours first", "lead_type", "both"),
        ("both", "lead_type", "both"),
        ("selling in lakewood and buying in arvada", None, "both"),
        ("we're looking for a rental actually, not buying", "lead_type", "rent"),
        ("we rent now but want to buy", "lead_type", "buy"),
        ("cash buyer", "preapproval", "buy"),
        ("renewing our lease, sorry", None, None),
        ("what did the one on elm sell for?", None, None),
        ("ended up buying with another agent", None, None),
        ("we're investors looking for a rental property", "lead_type", "buy"),
        ("not sure yet, maybe buy maybe rent", "lead_type", None),
    ],
)
def test_lead_type_comes_from_what_the_lead_wants_to_do(
    text: str, expecting: str | None, want: str | None
) -> None:
    assert slot(text, expecting, "lead_type") == want


@pytest.mark.parametrize(
    ("text", "expecting", "want"),
    [
        ("pre approved w chase", "preapproval", "yes"),
        ("already have my preapproval letter", None, "yes"),
        ("yes we're pre-qualified", "preapproval", "yes"),
        ("fha preapproved", None, "yes"),
        ("cash buyer", "preapproval", "cash"),
        ("we'll be paying all cash", None, "cash"),
        ("talking to a lender this week", "preapproval", "in_progress"),
        ("in the process rn", "preapproval", "in_progress"),
        ("applying with rocket now", "preapproval", "in_progress"),
        ("working on it", "preapproval", "in_progress"),
        ("not preapproved yet but talking to a lender", "preapproval", "in_progress"),
        ("haven't started that yet", "preapproval", "no"),
        ("around 350 but not pre-approved yet", "price_max", "no"),
        ("just browsing, not pre approved", "preapproval", "no"),
        ("nope not yet", "preapproval", "no"),
        ("yep!", "preapproval", "yes"),
        ("👍", "preapproval", "yes"),
        ("yes", "appointment", None),
        ("in the process", None, None),
        ("credit score is 680 if that matters", "preapproval", None),
    ],
)
def test_preapproval_reads_yes_no_in_progress_and_cash(
    text: str, expecting: str | None, want: str | None
) -> None:
    assert slot(text, expecting, "preapproval") == want


@pytest.mark.parametrize(
    ("text", "expecting", "want"),
    [
        ("already have a realtor", None, True),
        ("my sister in law is our agent", "has_agent", True),
        ("my husband is a realtor", "has_agent", True),
        ("we're working w someone from keller williams", "has_agent", True),
        ("yeah we do", "has_agent", True),
        ("yes ma'am", "has_agent", True),
        ("no agent", None, False),
        ("no agent yet. not sure on timing", "timeframe", False),
        ("not working with anyone", "has_agent", False),
        ("dont have one", "has_agent", False),
        ("haven't picked an agent yet", "has_agent", False),
        ("nah", "has_agent", False),
        ("no we don't", "has_agent", False),
        ("we used to have one but not anymore", "has_agent", False),
        ("I'm a realtor myself", "has_agent", True),
        ("is this the agent?", None, None),
        ("have the agent call me", None, None),
        ("working with a lender", None, None),
    ],
)
def test_has_agent_reads_negation_and_answers_in_context(
    text: str, expecting: str | None, want: bool | None
) -> None:
    assert slot(text, expecting, "has_agent") is want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("jsmith82@gmail.com", "jsmith82@gmail.com"),
        ("its Tanya.Boyd@Yahoo.com", "tanya.boyd@yahoo.com"),
        ("email is John.Doe+homes@Gmail.com.", "john.doe+homes@gmail.com"),
    ],
)
def test_an_email_is_read_in_lower_case(text: str, want: str) -> None:
    assert slot(text, "email", "email") == want


def test_a_street_address_is_read_when_it_was_asked() -> None:
    assert slot("it's 2207 Maple Ave, Austin", "address", "address") == "2207 Maple Ave"
    assert slot("1418 pecan", "address", "address") == "1418 pecan"


def test_a_street_address_is_not_an_address_slot_when_not_asked() -> None:
    assert slot("the house is at 1418 pecan st", "location", "address") is None


@pytest.mark.parametrize(
    ("text", "expecting", "intent"),
    [
        ("yes", "preapproval", Intent.AFFIRM),
        ("Yes!", None, Intent.AFFIRM),
        ("👍", "appointment", Intent.AFFIRM),
        ("✅", "appointment", Intent.AFFIRM),
        ("sure", "appointment", Intent.AFFIRM),
        ("no", "appointment", Intent.DENY),
        ("nope not yet", "preapproval", Intent.DENY),
        ("no sir", "has_agent", Intent.DENY),
        ("no thanks", "appointment", Intent.DENY),
        ("no, next week is better", "appointment", Intent.DENY),
        ("ok sounds good", "appointment", Intent.AFFIRM),
    ],
)
def test_a_plain_yes_or_no_is_an_affirm_or_deny(
    text: str, expecting: str | None, intent: Intent
) -> None:
    assert intent in read(text, expecting, NOW).intents


@pytest.mark.parametrize(
    ("text", "expecting"),
    [
        ("no agent yet", "has_agent"),
        ("dont have one", "has_agent"),
        ("not working with anyone", "has_agent"),
        ("450k", "price_max"),
        ("I have 2 kids", "beds"),
        ("haven't started that yet", "preapproval"),
    ],
)
def test_an_answer_that_only_contains_no_is_not_a_deny(text: str, expecting: str | None) -> None:
    got = read(text, expecting, NOW).intents
    assert Intent.DENY not in got
    assert Intent.AFFIRM not in got


def test_a_yes_to_a_preapproval_question_fills_the_slot_and_affirms() -> None:
    r = read("yes", "preapproval", NOW)
    assert r.slots == {"preapproval": "yes"}
    assert r.intents == frozenset({Intent.AFFIRM})


def test_several_answers_in_one_text_are_all_read() -> None:
    r = read("cash, dont have an agent, need something asap", "preapproval", NOW)
    assert r.slots.get("preapproval") == "cash"
    assert r.slots.get("has_agent") is False


@pytest.mark.parametrize(
    "text",
    [
        "so done with the landlord, time to own",
        "we want to quit paying rent",
        "estamos cansados de rentar",
    ],
)
def test_wanting_to_stop_renting_is_buying(text: str) -> None:
    assert read(text, None, NOW).slots.get("lead_type") == "buy"


@pytest.mark.parametrize(
    "text",
    [
        "is the seller flexible at all?",
        "would you say its a buyers market in katy",
        "should we buy down the rate",
    ],
)
def test_someone_elses_sale_or_the_market_is_no_lead_type(text: str) -> None:
    assert "lead_type" not in read(text, None, NOW).slots


def test_a_list_named_after_rentals_is_no_wish_to_rent() -> None:
    got = read("pls take me off the rentals list, we are buying", None, NOW).slots
    assert got.get("lead_type") == "buy"


def test_an_answer_that_closes_the_text_answers_the_question() -> None:
    got = read("we had a realtor but let him go, so no", "has_agent", NOW)
    assert got.slots.get("has_agent") is False
    assert Intent.DENY in got.intents
    assert "has_agent" not in read("let him go, so no", None, NOW).slots
