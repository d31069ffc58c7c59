"""The persona guard (COMPLIANCE.md #14, #15; DESIGN.md "The engine").

The assistant never speaks as the agent, never claims a licence or to be a
person, names the agent by first name only, and refers every question of
price, market, financing, contracts or neighbourhoods to the agent.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from isa_engine import persona
from isa_engine.persona import Verdict, check

FIRST, LAST = "Dana", "Whitfield"

SPEAKS_AS_AGENT = [
    "this is Dana",
    "Hi Maria, this is Dana!",
    "Hey, it's Dana from Keller Williams.",
    "it’s Dana again, just checking in",
    "Its Dana, are you still looking?",
    "Dana here! Are you still looking for a home?",
    "Hi! Dana here with Austin Realty.",
    "I'm Dana, nice to meet you.",
    "i am Dana and I'd love to help",
    "My name is Dana and I help buyers in Austin.",
    "You're texting with Dana. How can I help?",
    "It's me, Dana!",
    "THIS IS DANA. ARE YOU STILL LOOKING?",
    "Talk soon! - Dana",
    "Let me know what works.\n—Dana",
    "Thanks, Dana",
    "Cheers,\nDana",
    "Happy to help!\nDana",
    "I'll show you the house on Saturday.",
    "I can meet you at the property at 3.",
    "I'd love to represent you in your search.",
    "I'll call you tomorrow at 10.",
    "Two of my listings just came on the market.",
    "One of my clients just sold in that area.",
    "Come by my open house on Sunday!",
    "Hi Maria! Dana here from Keller Williams.",
]

CLAIMS_LICENSE_OR_HUMAN = [
    "I'm a licensed agent",
    "I'm a licensed real estate agent in Texas.",
    "Im a realtor",
    "I am your agent for this home.",
    "I'm the broker on this listing.",
    "I'm licensed in Texas.",
    "As your realtor, I'll keep an eye out.",
    "As a broker I see this a lot.",
    "As your buyer's agent, I can help.",
    "We're both licensed Realtors®.",
    "We are a team of licensed agents.",
    "I'm also a loan officer.",
    "I've been selling homes here for 10 years.",
    "I have a real estate license.",
    "I'm your agent's assistant",  # the corpus scorer flags it: ambiguous, so refused
    "I'm not a bot, just busy today!",
    "This is not a robot.",
    "I'm a real person, promise.",
    "I am human.",
    "You're talking to a real person.",
    "I'm with Keller Williams and I can help.",
]

LAST_NAME = [
    "Whitfield will call you soon.",
    "Hi! This is Dana Whitfield's assistant.",
    "Dana Whitfield",
    "whitfield",
    "(Whitfield)",
    "Call the Whitfield team.",
    "Whitfield's office will reach out.",
    "Dana W-h-i-t-f-i-e-l-d? No: Whitfield.",
    "Dana Whit\u200bfield will call.",  # an invisible space does not hide it
    "Hey! Dana Whitfield with eXp Realty.",
    "- Dana Whitfield, Realtor",
]

ADVICE = [
    # price, value, offers, negotiating
    "You should offer 10% under asking.",
    "you should offer",
    "I'd list it at 450k.",
    "I would price it around $400k.",
    "Let's offer 400 and see.",
    "Offer 5k over list to win it.",
    "Go in 3% below asking.",
    "I'd offer asking price.",
    "It's a great deal.",
    "That's a steal at that price!",
    "The house is overpriced.",
    "Honestly, it's priced too high.",
    "It's worth about 500k.",
    "Your home is probably worth $450,000.",
    "It will sell fast at that price.",
    "You could get $500k for it.",
    "The seller will probably take less.",
    "They'll come down on the price for sure.",
    "We can come down a little.",
    "Great value for the area!",
    "That home will appreciate quickly.",
    "If I were you I would negotiate hard.",
    "My advice: don't pay full price.",
    "Don't offer more than 420.",
    "You might want to lowball them.",
    # market
    "Prices are dropping.",
    "Home prices are going up fast in Austin.",
    "The market is hot right now.",
    "It's a buyer's market.",
    "Now is a great time to buy.",
    "It's the perfect time to sell!",
    "Homes are selling fast here.",
    "A crash is coming.",
    "The market will cool off this winter.",
    "Expect multiple offers.",
    "Wait until spring to list.",
    "I think the market is about to turn.",
    "Inventory is tight right now.",
    # financing
    "Rates will go down.",
    "Rates are going to drop next year.",
    "Interest rates are low right now.",
    "Lock your rate today.",
    "An FHA loan is better for you.",
    "You'll definitely qualify.",
    "You can afford $500k easily.",
    "You don't need 20% down.",
    "You don't need a pre-approval to look.",
    "You can always refinance later.",
    "I'd recommend an adjustable rate mortgage.",
    "You should get a 15-year loan.",
    "Marry the house, date the rate!",
    # contracts, legal
    "You don't need an inspection.",
    "You don't need an attorney for this.",
    "Waive the inspection to win.",
    "Skip the appraisal contingency.",
    "You can back out of the contract.",
    "The contract says you can cancel.",
    "Earnest money is fully refundable.",
    "It's totally legal.",
    "You're not obligated to anything.",
    "Don't sign that addendum.",
    "I suggest you sign the contract today.",
    # neighbourhoods, schools, safety
    "That area is safe.",
    "The neighborhood is really nice.",
    "This part of town is up-and-coming.",
    "It's a safe neighborhood.",
    "Great neighborhood for you!",
    "The schools there are excellent.",
    "It has great schools.",
    "Top-rated school district!",
    "Crime is really low in Pflugerville.",
    "Very low crime.",
    "You'll feel safe there.",
    "You'll love the neighborhood.",
    "Avoid that area.",
    "I think Hutto is safer than Manor.",
    # found by a sweep of plausible texts
    "Don't worry, the appraisal will come in fine.",
    "That's below market value!",
    "Sellers are desperate right now, so push hard.",
    "You'll get a better deal in Hutto.",
    "Go with a 30-year fixed.",
    "The neighborhood is mostly young families.",
    "Home values in Austin went up 5% this year.",
    "Definitely put 20% down to avoid PMI.",
    "A home inspection isn't necessary for new builds.",
    "The HOA there is a nightmare.",
    "Property taxes are really high in that county.",
    "You won't regret buying now.",
    "Buying is better than renting right now.",
    "It's smart to buy before spring.",
    "That price is way too high for that street.",
    "Most sellers accept 5% under list here.",
    "They usually accept offers under asking.",
    "The comps support 450.",
    # a declined opinion does not shelter the next clause
    "I can't say whether it's a good deal, but prices are dropping.",
    "I can't say enough: it's a great deal!",
    "I would wait for rates to drop.",
    "I'd recommend waiting until spring.",
    "Dana can help, and the schools there are great.",
    "Dana can go over it: you should offer 5% under asking.",
]

MUST_PASS = [
    # the brief's own examples
    "Great question! Dana can walk you through the market when you talk.",
    "Dana will be able to answer questions about pricing.",
    "How many bedrooms are you looking for?",
    "What price range are you hoping to stay under?",
    "Are you pre-approved with a lender, or paying cash?",
    "Hi Maria! This is Dana's assistant. Are you still looking for a home? Reply STOP to opt out.",
    # the shipped buyer script's texts
    "Great! How many bedrooms are you looking for?",
    "And how many bathrooms?",
    "Which areas or neighborhoods are you looking in?",
    "Is there a city, neighborhood or zip code you have in mind?",
    "Roughly what is the most you would like to spend?",
    "Have you been pre-approved with a lender yet, or are you paying cash?",
    "Are you pre-approved, working on it, or buying with cash?",
    "Are you working with a real estate agent already?",
    "Just to check, has another agent been helping you with your search?",
    "When are you hoping to move?",
    "Thanks Maria! Dana would love to go over some homes with you. What day and time works?",
    "Is there a day and time this week that works for a short call with Dana?",
    "You're unsubscribed and won't get more texts from us. Sorry for the bother!",
    "Sorry about that! We'll take this number off our list.",
    "No problem at all, thanks for letting me know. Best of luck!",
    "Great question! Dana is the best person to answer that and can go over it with you on a call.",
    "I'll let Dana know you'd like a call.",
    "I'm Dana's assistant, an automated helper that texts on Dana's behalf.",
    "I’m Dana’s assistant, an automated helper that texts on Dana’s behalf.",
    "No problem! What day and time would work better?",
    "This is Dana's assistant, helping with your home search. Reply STOP to opt out.",
    "Perfect! Dana will call you tomorrow at 3pm. Talk soon!",
    "No problem, Maria. I'll pass this along to Dana, who will reach out. Thanks!",
    "Got it, thanks! I'll pass that along to Dana.",
    "Thanks for letting me know! Glad you have someone helping you. Best of luck with your search!",
    "What time that day works best for a quick call?",
    # deflections that name a topic without advising
    "Dana can go over pricing, schools and the neighborhood with you on a call.",
    "That's a great question for Dana! She can talk you through rates and lenders.",
    "Dana would be happy to help you figure out what to offer.",
    "Dana can help you decide whether now is a good time to buy.",
    "I'd suggest a quick call with Dana to talk about the market.",
    "Good question! Ask Dana about the schools when you talk.",
    "Dana knows the area well and can tell you more about it.",
    "A lender can walk you through rates and loan options.",
    "I can't advise on contracts, but Dana can explain the whole process.",
    "I'm not able to give advice on pricing. Dana will call you about it.",
    "Dana is the right person to ask about offers and negotiating.",
    "Dana will be happy to discuss the inspection with you.",
    # ordinary qualifying texts
    "Do you need to sell your current home before you buy?",
    "Are you looking to buy, sell, or both?",
    "Are you hoping to stay under 450k?",
    "How soon are you hoping to move: this month, or later in the year?",
    "What's your email so Dana can send some listings?",
    "Would a call tomorrow at 10 or 2 work better?",
    "You should hear from Dana within the hour.",
    "You should get a call from Dana shortly.",
    "Is this a bot? Yes: I'm an automated assistant, not a real person.",
    "I'm not a licensed agent, so I'll have Dana answer that.",
    "I'm just the assistant; Dana is the agent.",
    "Hi Dana's client! Quick question: how many bathrooms do you need?",
    "Dana has a great deal of experience with first-time buyers.",
    "Any particular neighborhoods you like?",
    "Do you have a price point in mind?",
    "What's a good time to call you?",
    "Dana will be here at 3.",
    "Reply STOP to opt out or HELP for help.",
    # drip and seller-script texts
    "Would you like to know what your home might be worth? Dana can put together a free estimate.",
    "Hi Maria, just checking in! Are you still thinking about buying this year?",
    "New listings just hit the market in your price range. Want Dana to send them over?",
    "Have you thought about what price you'd want to list at?",
    "I can't speak to pricing, but Dana can. Want a quick call?",
    "Totally understand. Rates are a question for a lender, and Dana can recommend one.",
    "Is there a particular school district you're hoping to be in?",
    "Are you looking to be close to any schools, work, or family?",
    "How much are you hoping to get for your home?",
    "Do you know roughly what you'd like to sell for?",
    "Is the home you're selling vacant or lived in?",
    "Are you hoping to sell before the holidays?",
    "When would you like to list your home?",
    "Do you want to be in a specific school district?",
    "Good news: Dana has some homes in that area to show you.",
    "Are you open to homes that need a little work?",
    "What's most important to you in a neighborhood?",
    "Is a yard important to you?",
    "Dana will call to talk about the market and next steps.",
    "Dana said she'd love to help you find the right place.",
    "I'll make sure Dana gets your message.",
    "Sure! Dana can walk you through how offers work.",
    "You can reply anytime with questions and Dana will answer them.",
    "Thanks for your patience! Dana will be in touch soon.",
    "Would you like Dana to connect you with a lender she trusts?",
    "Are you currently renting or do you own?",
    "Is your lease ending soon?",
    "Are you looking to move before school starts?",
    "How soon do you need to move?",
    "That sounds great! What area would be best for you?",
    "What's the best number for Dana to reach you?",
    "I understand! Many people feel that way. Dana is happy to help whenever you're ready.",
    "What would make a home a great fit for you?",
    "Would you like to see homes with a pool?",
    "No worries at all! Would next week be better for a call?",
    "I'm sorry, I'm not able to answer that, but Dana can.",
    "Can Dana call you at 5pm today?",
    "Just checking: are you still interested in selling?",
    "Are you looking for a starter home or something bigger?",
    "How many square feet are you hoping for?",
    # more drip, seller, scheduling and identity texts
    "Hi Maria, it's been a while! Are you still thinking about a move this spring?",
    "Hey Maria! Dana asked me to check in. Any homes catch your eye lately?",
    "Hi there! Just wanted to see if your plans have changed at all.",
    "Dana just sent you a few homes that match what you described. Did you get them?",
    "Still looking in Round Rock? Dana has a few new options under 400k.",
    "Quick check-in: are you still pre-approved, or has anything changed?",
    "Do you have a lender you're working with, or would you like a recommendation from Dana?",
    "Would it help to have Dana send a list of open houses this weekend?",
    "Open houses this weekend in Pflugerville: want me to have Dana send details?",
    "We haven't heard from you in a bit. Still interested in homes in Hutto?",
    "Is now still a good time to chat about your search?",
    "Got it, Maria. Dana will call you Thursday at 6pm.",
    "Just a reminder: Dana will call you today at 3pm. Reply if you need to reschedule.",
    "Thanks for the update! I'll note that you're waiting until next year.",
    "No rush at all. When would be a good time to check back in?",
    "Understood! I'll let Dana know you found a home. Congratulations!",
    "Congratulations on your new home! Best of luck with the move.",
    "Happy holidays from Dana's team! Let us know if we can help with anything.",
    "Are you looking for a single-family home, a condo, or a townhouse?",
    "Would you like a one-story or two-story home?",
    "Are you hoping for a garage?",
    "Is a home office important to you?",
    "What's your ideal move-in date?",
    "Are you relocating for work?",
    "Where are you moving from?",
    "Are you a first-time home buyer?",
    "Have you sold a home before?",
    "Is the home you're selling currently listed?",
    "How long have you owned your home?",
    "Are you planning to buy another home after you sell?",
    "Did you have a price in mind for your home?",
    "Would you like Dana to prepare a market analysis for your home?",
    "Dana can prepare a free comparative market analysis for you.",
    "If you'd like, Dana can tell you what homes near you have sold for.",
    "Hi, this is the assistant for Dana. Are you still interested?",
    "Sorry for the confusion! I'm an assistant helping Dana follow up on home inquiries.",
    "Yes, I'm an automated assistant. Dana is a real person and will call you.",
    "I'm Dana's virtual assistant. Dana reads every message.",
    "You can text Dana here anytime.",
    "Dana's phone number is this one; calls ring straight through.",
    "Dana asked me to pass along that she'd love to chat this week.",
    "Dana will be available after 5 today if that works better.",
    "Would 10am or 2pm tomorrow work better for a call with Dana?",
    "Let me know what day works and I'll set it up with Dana.",
    "We can do the call whenever works for you.",
    "Are you free for a quick call this afternoon?",
    "I'll have Dana call you in about 10 minutes.",
    "Thanks! I've shared your answers with Dana.",
    "Do you want to see homes this weekend?",
    "Would you like to tour any of these homes?",
    "Great choice! Dana can set up a showing.",
    "Dana can show you the home on Saturday if you'd like.",
    "Is there a particular home you saw online that you'd like to know more about?",
    "Which listing were you asking about?",
    "Got it! That's the one on Maple Street, right?",
    "Sorry, I don't have details on that listing, but Dana does.",
    "Great question about the HOA! Dana can find out for you.",
    "Good question about taxes. Dana will look into it and get back to you.",
    "Dana can answer questions about schools, taxes and the HOA on your call.",
    "I can't say whether that's a good price, but Dana can go over it with you.",
    "I'm not allowed to give opinions on the market. Dana will be happy to share hers.",
]


def _refused(text: str, reason_start: str | None = None) -> None:
    verdict = check(text, FIRST, LAST)
    assert not verdict.ok, f"should be refused: {text!r}"
    assert verdict.reasons
    if reason_start is not None:
        assert any(r.startswith(reason_start) for r in verdict.reasons), verdict.reasons


@pytest.mark.parametrize("text", SPEAKS_AS_AGENT)
def test_a_text_that_speaks_as_the_agent_is_refused(text: str) -> None:
    _refused(text, "claims to be the agent")


@pytest.mark.parametrize("text", CLAIMS_LICENSE_OR_HUMAN)
def test_a_text_claiming_a_licence_a_profession_or_to_be_human_is_refused(text: str) -> None:
    _refused(text, "claims to be")


@pytest.mark.parametrize("text", LAST_NAME)
def test_a_text_naming_the_agents_last_name_is_refused(text: str) -> None:
    _refused(text, "names the agent's last name (Whitfield)")


@pytest.mark.parametrize("text", ADVICE)
def test_a_text_giving_advice_or_an_opinion_is_refused(text: str) -> None:
    _refused(text, "gives ")


@pytest.mark.parametrize("text", MUST_PASS)
def test_an_ordinary_assistant_text_passes(text: str) -> None:
    assert check(text, FIRST, LAST) == Verdict(ok=True, reasons=())


def test_reasons_quote_what_was_said_in_its_own_case() -> None:
    verdict = check("Hi! This is Dana. You should offer 10% under.", FIRST, LAST)
    assert verdict.reasons == (
        'claims to be the agent ("This is Dana")',
        'gives price advice ("You should offer")',
    )


def test_the_last_name_reason_names_it() -> None:
    assert check("Whitfield", FIRST, LAST).reasons == ("names the agent's last name (Whitfield)",)


def test_each_broken_rule_gives_one_reason() -> None:
    verdict = check("I'm Dana Whitfield, a licensed realtor. Prices are dropping!", FIRST, LAST)
    assert len(verdict.reasons) == 4
    assert len(set(verdict.reasons)) == 4


def test_the_assistants_possessive_is_not_speaking_as_the_agent() -> None:
    for text in ("this is Dana's assistant", "it's Dana’s assistant", "I'm Dana 's helper"):
        assert check(text, FIRST).ok, text


def test_another_first_name_is_not_the_agent() -> None:
    assert check("Hi, this is Sam, Dana's assistant.", FIRST, LAST).ok
    assert not check("Hi, this is Sam.", "Sam").ok


def test_the_last_name_is_only_checked_when_known() -> None:
    assert check("The Whitfield house", FIRST).ok
    assert not check("The Whitfield house", FIRST, LAST).ok


def test_the_last_name_must_be_a_whole_word() -> None:
    assert check("Call me about Whitfields or Whitfieldton", FIRST, LAST).ok
    assert not check("Mr. WHITFIELD", FIRST, LAST).ok


def test_a_last_name_that_is_a_common_word_is_still_refused() -> None:
    # The rule is "never the last name": a Bell agent never gets "the bell" through.
    assert not check("Ring the bell when you arrive.", "Marcus", "Bell").ok


@pytest.mark.parametrize(
    ("first", "last", "text"),
    [
        ("José", "García", "Hola, this is José."),
        ("José", "García", "Saludos de Jose\u0301 Garci\u0301a"),  # decomposed accents
        ("Mary Beth", "Van Der Berg", "Hi, it's Mary Beth!"),
        ("Mary Beth", "Van Der Berg", "The van der berg team"),
        ("Siobhán", "O'Neill", "Call O’Neill today"),
    ],
)
def test_names_with_accents_spaces_and_apostrophes_are_recognised(
    first: str, last: str, text: str
) -> None:
    assert not check(text, first, last).ok


def test_a_blank_first_name_checks_the_rest() -> None:
    assert check("How many bedrooms?", "  ").ok
    assert not check("Prices are dropping.", "").ok


def test_the_guard_only_refuses_it_does_not_rewrite() -> None:
    text = "Hi Maria! This is Dana's assistant."
    assert check(text, FIRST, LAST) == Verdict(True, ())


def test_verdict_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        check("hi", FIRST).ok = False  # type: ignore[misc]


def test_the_rules_are_data_and_load_once() -> None:
    assert persona._rules() is persona._rules()
    ids = {rule.id for rule in persona._rules().rules}
    assert {"speaks_as_agent", "claims_license", "last_name", "price", "market"} <= ids


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "expected a mapping"),
        ({"rules": []}, "rules: expected a non-empty list"),
        ({"rules": [{"id": "x", "scope": "nope", "reason": "r", "patterns": ["a"]}]}, "scope"),
        ({"rules": [{"id": "x", "scope": "advice", "reason": "r", "patterns": []}]}, "patterns"),
        (
            {"rules": [{"id": "x", "scope": "advice", "reason": "{oops}", "patterns": ["a"]}]},
            "{match}",
        ),
        ({"rules": [{"id": "x", "scope": "advice", "reason": "r", "patterns": ["(a"]}]}, "compile"),
        (
            {"rules": [{"id": "x", "scope": "advice", "reason": "r", "patterns": ["{nope}"]}]},
            "placeholder",
        ),
        (
            {"rules": [{"id": "x", "scope": "advice", "reason": "r", "patterns": ["Dana"]}]},
            "lower case",
        ),
    ],
)
def test_a_broken_rules_file_is_refused_with_where_and_what(doc: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        persona.parse_rules(doc, "persona.yaml")


def test_the_scorers_own_patterns_are_in_the_rules() -> None:
    # ../shared/corpus/score.py PERSONA: the guard refuses at least what the scorer flags.
    patterns = {p for rule in persona._rules().rules for p in rule.patterns}
    assert r"\bi\s*(?:'?m|am)\s+licensed\b" in patterns
    assert r"\bas\s+(?:a|your)\s+(?:realtor|agent|broker)\b" in patterns
