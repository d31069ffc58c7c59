"""Intents: opt-out first and honoured generously, then the rest (COMPLIANCE.md #4, #8)."""

from __future__ import annotations

from datetime import datetime

import pytest

from isa_engine.model import Intent
from isa_engine.reading import read
from isa_engine.reading.lexicon import load, phrases

NOW = datetime.fromisoformat("2026-11-23T10:15:00-06:00")


def intents(text: str, expecting: str | None = None) -> frozenset[Intent]:
    return read(text, expecting, NOW).intents


@pytest.mark.parametrize(
    "text",
    [
        "STOP", "stop", "Stop.", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT",
        "REVOKE", "REMOVE", "opt out", "ＳＴＯＰ", "🛑", "stop please", "please stop!!",
        "STOP TEXTING ME!!!", "Stop texting me please", "i said stop", "stop! who is this",
        "please remove me from your list", "take me off your list", "take us off the list",
        "lose my number 🙄", "leave me alone", "don't text me again", "do not contact me",
        "no more texts please", "no more", "i don't want any more texts",
        "dont send me anything else", "STOP sending me these", "how do i unsubscribe",
        "not interested. please stop", "this is harassment", "quit texting", "you can stop now",
        "do not text", "stop im not interested", "STOP you have the wrong person", "Ok STOP now",
        "STOP with these", "quit it already", "stopall", "no más", "No mas por favor",
        "ya no me escriba",
        "dejen de mandarme mensajes", "bórrame de su lista", "por favor no me escriba mas",
    ],
)  # fmt: skip
def test_every_reasonable_way_of_saying_stop_is_an_opt_out(text: str) -> None:
    assert Intent.OPT_OUT in intents(text, "beds")


@pytest.mark.parametrize(
    "text",
    [
        "stop by the open house?",
        "can we stop by the open house saturday?",
        "can't stop thinking about that house",
        "end of the month works",
        "cancel the appointment",
        "I need to cancel our call tomorrow",
        "I quit my job so we need to move fast",
        "remove the carpet?",
        "please don't send me condos",
        "stop sending me listings over 500k",
        "Can we STOP by at 3?",
        "Remove the listing alerts for condos",
        "no more than 400k",
        "the deal fell through, back to square one",
    ],
)
def test_phrases_that_merely_contain_a_stop_word_are_not_an_opt_out(text: str) -> None:
    assert Intent.OPT_OUT not in intents(text)


def test_an_opt_out_fills_no_slots() -> None:
    r = read("stop", "beds", NOW)
    assert r.slots == {}
    assert r.intents == frozenset({Intent.OPT_OUT})


def test_a_wrong_number_that_says_stop_is_both() -> None:
    assert intents("wrong number. stop") == {Intent.WRONG_NUMBER, Intent.OPT_OUT}


def test_cancelling_the_appointment_is_a_reschedule() -> None:
    assert Intent.RESCHEDULE in intents("cancel the appointment")


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("HELP", Intent.HELP),
        ("info", Intent.HELP),
        ("START", Intent.START),
        ("unstop", Intent.START),
    ],
)
def test_help_and_start_are_read_as_compliance_keywords(text: str, want: Intent) -> None:
    assert intents(text) == {want}


def test_asking_for_help_finding_a_house_is_not_the_help_keyword() -> None:
    assert Intent.HELP not in intents("can you help me find a 3 bed in katy")


@pytest.mark.parametrize(
    "text",
    [
        "i can't really do a call",
        "just have him text me listings",
        "i don't want to schedule a call yet, just send me info",
        "idk when i'm free, can he just text me?",
        "don't call me, just text",
        "no calls please, text is better",
        "I don't want a call right now, just looking",
        "not ready to talk to anyone yet",
        "no need for a call",
    ],
)
def test_a_lead_who_will_not_set_a_time_to_talk_declines_the_call(text: str) -> None:
    got = intents(text, "appointment")
    assert Intent.DECLINE_CALL in got
    assert Intent.CALL_REQUEST not in got


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("wrong number", Intent.WRONG_NUMBER),
        ("i think you got the wrong guy", Intent.WRONG_NUMBER),
        ("I never filled out anything like that", Intent.WRONG_NUMBER),
        ("we bought already", Intent.NOT_INTERESTED),
        ("we closed on a house last week", Intent.NOT_INTERESTED),
        ("we found a place already", Intent.NOT_INTERESTED),
        ("not interested anymore, decided to stay put", Intent.NOT_INTERESTED),
        ("how much is the one on Elm?", Intent.QUESTION),
        ("is the house on sycamore st still available", Intent.QUESTION),
        ("what's the hoa on that one?", Intent.QUESTION),
        ("what should we offer", Intent.QUESTION),
        ("what do you think my house is worth?", Intent.QUESTION),
        ("can you just call me", Intent.CALL_REQUEST),
        ("have her call me", Intent.CALL_REQUEST),
        ("can i talk to the agent", Intent.CALL_REQUEST),
        ("call me after 5", Intent.CALL_REQUEST),
        ("who is this?", Intent.IDENTITY_QUESTION),
        ("are you a bot", Intent.IDENTITY_QUESTION),
        ("is this a real person", Intent.IDENTITY_QUESTION),
        ("wait is this karen?", Intent.IDENTITY_QUESTION),
        ("how did you get my number", Intent.IDENTITY_QUESTION),
        ("can we reschedule", Intent.RESCHEDULE),
        ("something came up, can we move our call?", Intent.RESCHEDULE),
        ("can we push it to friday at 11am instead", Intent.RESCHEDULE),
        ("sorry running late can we push it 30 min", Intent.RESCHEDULE),
        ("we went under contract yesterday!", Intent.NOT_INTERESTED),
        ("we decided to rent instead", Intent.NOT_INTERESTED),
        ("I'd like to speak to someone", Intent.CALL_REQUEST),
        ("just curious what my house is worth", Intent.QUESTION),
        ("how long does it take to close?", Intent.QUESTION),
    ],
)
def test_each_intent_is_read_from_its_usual_phrasings(text: str, want: Intent) -> None:
    assert want in intents(text)


@pytest.mark.parametrize(
    ("text", "unwanted"),
    [
        ("not interested in condos", Intent.NOT_INTERESTED),
        ("don't call me, just text", Intent.CALL_REQUEST),
        ("is this a good neighborhood for kids?", Intent.IDENTITY_QUESTION),
        ("3 bd 2 ba in frisco", Intent.QUESTION),
        ("we want to move in march", Intent.RESCHEDULE),
        ("they had to cancel the closing", Intent.RESCHEDULE),
        ("we decided to wait until next year", Intent.NOT_INTERESTED),
        ("ok np", Intent.AFFIRM),
    ],
)
def test_lookalike_phrasings_do_not_carry_the_intent(text: str, unwanted: Intent) -> None:
    assert unwanted not in intents(text)


def test_slot_answers_carry_no_intent() -> None:
    assert intents("3 bd 2 ba somewhere in pflugerville, under 450k", "beds") == frozenset()


@pytest.mark.parametrize(
    "name", ["opt_out.yaml", "reading_intents.yaml", "reading_answers.yaml", "reading_numbers.yaml"]
)
def test_every_word_list_loads_as_strings_and_compiles(name: str) -> None:
    for key, value in load(name).items():
        assert isinstance(value, list | str), key
        assert phrases(name, key).pattern


@pytest.mark.parametrize(
    "text",
    [
        "favor de no mandar mas textos",
        "porfa no enviarme mensajes",
        "ya no me contacten",
        "ya no nos texteen por favor",
        "paren de escribirme",
        "dejen d escribir",
        "deja de preguntarme ya",
        "no kiero mas mensajes",
        "no queremos que nos llamen ni escriban",
        "estamos bloqueando su numero",
        "remuevanme",
    ],
)
def test_spanish_wishes_to_stop_are_opt_outs(text: str) -> None:
    assert Intent.OPT_OUT in read(text, None, NOW).intents


@pytest.mark.parametrize(
    "text",
    [
        "no me escriban antes de las 9 porfa",
        "no me manden mensajes tan tarde",
        "pare de mandarme departamentos, solo casas",
        "alto, quise decir Pharr no McAllen",
    ],
)
def test_spanish_stop_words_aimed_elsewhere_are_not_opt_outs(text: str) -> None:
    assert Intent.OPT_OUT not in read(text, None, NOW).intents


@pytest.mark.parametrize(
    "text",
    [
        "we earn about 120k together, what could we afford?",
        "can we buy with an ITIN",
        "is a 20 year loan smarter for us?",
        "how bad is the commute from Kyle to Austin",
        "¿cuánto cuestan las casas en Pharr?",
        "como estan las escuelas en McAllen?",
    ],
)
def test_advice_about_money_places_and_the_deal_is_a_question(text: str) -> None:
    assert Intent.QUESTION in read(text, None, NOW).intents


def test_a_question_after_asking_who_we_are_is_still_a_question() -> None:
    got = read("whos texting me? also what are the hoa fees on the one on oak?", None, NOW)
    assert {Intent.IDENTITY_QUESTION, Intent.QUESTION} <= got.intents
    assert Intent.QUESTION not in read("who is this? whats the deal", None, NOW).intents


@pytest.mark.parametrize(
    "text",
    [
        "ya vendimos la casa, gracias",
        "ya firmamos el contrato de otra",
        "paramos la busqueda por ahora",
        "ya nos dieron las llaves!",
    ],
)
def test_spanish_already_done_is_not_interested_and_no_yes(text: str) -> None:
    got = read(text, None, NOW).intents
    assert Intent.NOT_INTERESTED in got
    assert Intent.AFFIRM not in got


@pytest.mark.parametrize(
    "text",
    [
        "stuck in traffic, can we talk at 4 instead of 3",
        "i cant do friday after all, monday?",
        "cant make 11, sorry",
        "gotta push our appointment, work ran over",
        "cancelen la cita, no voy a poder",
    ],
)
def test_moving_an_agreed_time_is_a_reschedule(text: str) -> None:
    assert Intent.RESCHEDULE in read(text, None, NOW).intents


@pytest.mark.parametrize(
    "text",
    [
        "remove the 55+ filter please",
        "cancel the 2 car garage requirement",
        "skip the 1 story ones",
    ],
)
def test_dropping_a_numbered_requirement_is_no_reschedule(text: str) -> None:
    assert Intent.RESCHEDULE not in read(text, None, NOW).intents
