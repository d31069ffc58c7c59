"""Spanish, end to end in the core: a lead who writes in Spanish is moved to the script's
Spanish version at once, everything known kept; every fixed text exists in Spanish.

Readings are given by hand (``TextReceived`` takes one), so these hold whatever the reader
reads; only ``language`` matters to the switch.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.script_files import FileScriptStore
from isa_engine.authoring import parse_script
from isa_engine.conversation import Conversation, decide
from isa_engine.errors import ScriptErrors
from isa_engine.events import Begin, TextReceived
from isa_engine.model import (
    AlertAgent,
    EmitOutcome,
    Intent,
    OutcomeKind,
    Reading,
    SlotValue,
    Status,
    SwitchLanguage,
)
from isa_engine.reading.language import detect
from isa_engine.simulation import Simulation, replay

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = FileScriptStore(REPO / "scripts")
BUYER, BUYER_ES = SCRIPTS.get("buyer"), SCRIPTS.get("buyer-es")
SELLER, SELLER_ES = SCRIPTS.get("seller"), SCRIPTS.get("seller-es")
T0 = datetime.fromisoformat("2026-12-03T10:00:00-06:00")  # a Thursday
CORPUS_ES = REPO.parent / "shared" / "corpus" / "conversations-es.jsonl"


def es(*intents: Intent, **slots: SlotValue) -> Reading:
    return Reading(slots=slots, intents=frozenset(intents), language="es")


def en(*intents: Intent, **slots: SlotValue) -> Reading:
    return Reading(slots=slots, intents=frozenset(intents), language="en")


def lead(script: str = "buyer", *, translations: bool = True) -> Simulation:
    found = SCRIPTS.get(script)
    return Simulation.start(
        found,
        contact="Maria",
        agent="Dana",
        agent_last="Whitfield",
        at=T0,
        translations=SCRIPTS.translations(found) if translations else None,
    )


def texts(sim: Simulation, after_turn: int | None = None) -> list[str]:
    return [o.text for o in sim.outbound if after_turn is None or o.after_turn == after_turn]


def reply(sim: Simulation, reading: Reading, text: str = "…") -> list[Any]:
    return sim.text(text, sim.now + timedelta(minutes=1), reading)


# ---------------------------------------------------------------- the switch


def test_the_shipped_scripts_name_each_other_as_translations() -> None:
    assert (BUYER.language, BUYER.translations) == ("en", {"es": "buyer-es"})
    assert (BUYER_ES.language, BUYER_ES.translations) == ("es", {"en": "buyer"})
    assert (SELLER.translations, SELLER_ES.translations) == ({"es": "seller-es"}, {"en": "seller"})
    for english, spanish in ((BUYER, BUYER_ES), (SELLER, SELLER_ES)):
        assert [s.slot for s in english.steps] == [s.slot for s in spanish.steps]
        assert english.outcomes == spanish.outcomes


def test_a_lead_who_writes_spanish_is_answered_in_spanish_at_once() -> None:
    sim = lead()
    effects = reply(sim, es(Intent.AFFIRM), "sí, seguimos buscando")
    switch = [e for e in effects if isinstance(e, SwitchLanguage)]
    assert switch == [
        SwitchLanguage(
            "buyer@1",
            "buyer-es@1",
            "es",
            "the lead wrote in Spanish: buyer@1 → buyer-es@1, everything known kept",
        )
    ]
    conv = sim.conversation
    assert (conv.script, conv.language, conv.switched_from) == ("buyer-es@1", "es", "buyer@1")
    assert texts(sim, 1) == ["¡Qué bien! ¿Cuántas recámaras necesita?"]


def test_slots_known_before_the_switch_are_kept_and_never_asked_again() -> None:
    sim = lead()
    reply(sim, en(beds=3, baths=2.0))
    reply(sim, es(location=("Katy", "Cypress")), "buscamos en Katy o Cypress")
    assert sim.conversation.slots == {"beds": 3, "baths": 2.0, "location": ("Katy", "Cypress")}
    assert texts(sim, 2) == ["¿Hasta qué precio le gustaría gastar?"]
    assert [o.asks for o in sim.outbound].count("beds") == 0


def test_the_awaited_question_is_asked_again_in_spanish_in_its_reask_words() -> None:
    sim = lead()
    reply(sim, en(Intent.AFFIRM))  # asks beds in English
    reply(sim, es(), "perdón, no entiendo")
    assert texts(sim, 2) == ["Perdón, no le entendí. ¿Más o menos cuántas recámaras necesita?"]


def test_an_undecided_text_keeps_the_language_and_a_clearly_english_one_switches_back() -> None:
    sim = lead()
    reply(sim, es(Intent.AFFIRM))
    reply(sim, Reading(slots={"beds": 3}), "3")
    assert sim.conversation.script == "buyer-es@1"
    assert texts(sim, 2) == ["¿Y cuántos baños?"]
    reply(sim, en(baths=2.0), "we're looking for 2 baths actually")
    assert (sim.conversation.script, sim.conversation.language) == ("buyer@1", "en")
    assert sim.conversation.switched_from == "buyer-es@1"
    assert texts(sim, 3) == ["Which areas or neighborhoods are you looking in?"]
    assert [(t, s.to_script) for t, s in sim.switches] == [(1, "buyer-es@1"), (3, "buyer@1")]


def test_without_a_spanish_version_the_conversation_stays_in_english() -> None:
    sim = lead(translations=False)
    effects = reply(sim, es(Intent.AFFIRM))
    assert not any(isinstance(e, SwitchLanguage) for e in effects)
    assert sim.conversation.script == "buyer@1"
    assert texts(sim, 1) == ["Great! How many bedrooms are you looking for?"]
    open_house = lead("open_house")  # no translations named: nothing to move to
    reply(open_house, es(Intent.AFFIRM))
    assert open_house.conversation.script == "open_house@1"


def test_a_conversation_started_in_spanish_stays_there_for_an_undecided_reply() -> None:
    sim = lead("buyer-es")
    assert texts(sim, 0)[0].startswith("¡Hola Maria! Soy asistente de Dana")
    reply(sim, Reading(slots={"beds": 2}), "2")
    assert sim.conversation.script == "buyer-es@1" and sim.switches == []


def test_decide_moves_the_conversation_to_the_translation_it_is_given() -> None:
    conv = decide(BUYER, Conversation(BUYER.key, "Maria", "Dana"), Begin(), T0).conversation
    turn = decide(BUYER, conv, TextReceived("hola", es()), T0, {"es": BUYER_ES})
    assert turn.conversation.script == "buyer-es@1"
    assert conv.script == "buyer@1"  # the conversation given is never changed


# ---------------------------------------------------------------- every fixed text in Spanish


def test_an_opt_out_in_spanish_is_confirmed_in_spanish_and_nothing_follows() -> None:
    sim = lead()
    reply(sim, es(Intent.OPT_OUT), "no me manden más mensajes")
    assert sim.conversation.status is Status.DEAD
    assert texts(sim, 1) == [
        "Listo, ya no recibirá más mensajes de nosotros. ¡Disculpe la molestia!"
    ]
    reply(sim, es(Intent.AFFIRM), "sí")
    assert texts(sim, 2) == []


def test_help_in_spanish_gets_the_spanish_help_text_and_the_script_waits() -> None:
    sim = lead()
    reply(sim, es(Intent.HELP), "AYUDA")
    assert texts(sim, 1) == [
        "Le escribe el asistente de Dana. Dudas: responda a este mensaje o escriba a "
        "help@example.com. Responda STOP o BAJA para no recibir mensajes."
    ]


def test_the_identity_question_in_spanish_gets_the_assistant_wording() -> None:
    sim = lead()
    reply(sim, es(Intent.IDENTITY_QUESTION), "¿con quién hablo?")
    (answer,) = texts(sim, 1)
    assert answer.startswith("Soy asistente de Dana, un asistente automatizado")
    assert "Whitfield" not in answer and answer.endswith("¿Cuántas recámaras necesita?")


def test_a_licensed_question_in_spanish_is_deflected_in_spanish_and_flagged() -> None:
    sim = lead()
    effects = reply(sim, es(Intent.QUESTION), "¿es buen momento para comprar?")
    assert texts(sim, 1)[0].startswith("¡Buena pregunta! Dana es la mejor persona")
    assert any(isinstance(e, AlertAgent) and e.reason == "lead: question" for e in effects)


def test_the_appointment_is_confirmed_with_the_weekday_and_date_in_spanish() -> None:
    sim = lead()
    reply(sim, es(beds=3, baths=2.0, location=("Katy",), price_max=320000))
    reply(sim, es(preapproval="yes", has_agent=False, timeframe="0-3"))
    reply(sim, es(appointment="2026-12-03T14:00"), "hoy a las 2")
    assert sim.conversation.status is Status.APPOINTMENT
    assert [o.kind for o in sim.outcomes] == [OutcomeKind.APPOINTMENT]
    assert texts(sim, 3) == [
        "¡Perfecto! Dana le llamará el jueves 3 de diciembre a las 2 PM. ¡Hasta pronto!"
    ]


def test_a_reschedule_in_spanish_is_answered_and_the_new_time_confirmed_in_spanish() -> None:
    sim = lead()
    reply(sim, es(beds=3, appointment="2026-12-04T13:00"))
    assert texts(sim, 1) == [
        "¡Perfecto! Dana le llamará el viernes 4 de diciembre a la 1 PM. ¡Hasta pronto!"
    ]
    reply(sim, es(Intent.RESCHEDULE), "¿podemos cambiar la hora?")
    assert texts(sim, 2) == ["¡Claro! ¿Qué día y hora le quedaría mejor?"]
    reply(sim, es(appointment="2026-12-05T10:30"), "el sábado a las 10:30")
    assert texts(sim, 3) == [
        "¡Perfecto! Dana le llamará el sábado 5 de diciembre a las 10:30 AM. ¡Hasta pronto!"
    ]


def test_wrong_number_and_not_interested_are_answered_in_spanish() -> None:
    wrong = lead()
    reply(wrong, es(Intent.WRONG_NUMBER), "se equivocó de número")
    assert wrong.conversation.status is Status.DEAD
    assert texts(wrong, 1) == [
        "¡Disculpe la molestia! Vamos a quitar este número de nuestra lista."
    ]
    done = lead()
    reply(done, es(Intent.NOT_INTERESTED), "ya no me interesa, gracias")
    assert texts(done, 1) == ["No se preocupe, gracias por avisarme. ¡Mucha suerte!"]
    agent = lead()
    reply(agent, es(has_agent=True), "ya tenemos agente")
    assert agent.conversation.status is Status.DEAD
    assert texts(agent, 1)[0].startswith("¡Gracias por avisarme!")


def test_a_call_request_and_an_engagement_are_answered_in_spanish() -> None:
    sim = lead()
    reply(sim, es(beds=4, baths=2.0, location=("Phoenix",)))
    effects = reply(sim, es(Intent.CALL_REQUEST), "que me llame el agente")
    assert any(isinstance(e, EmitOutcome) and e.kind is OutcomeKind.ENGAGEMENT for e in effects)
    assert texts(sim, 2) == ["Le aviso a Dana que quiere una llamada."]


def test_a_re_opt_in_after_a_spanish_opt_out_is_confirmed_in_spanish() -> None:
    sim = lead()
    reply(sim, es(Intent.OPT_OUT))
    reply(sim, Reading(intents=frozenset({Intent.START})), "START")
    assert texts(sim, 2) == [
        "Está suscrito de nuevo. Responda STOP o BAJA en cualquier momento para salir."
    ]


def test_the_seller_script_switches_too() -> None:
    sim = lead("seller")
    reply(sim, es(Intent.AFFIRM), "sí, queremos vender")
    assert sim.conversation.script == "seller-es@1"
    assert texts(sim, 1) == ["¡Qué bien! ¿En qué ciudad o zona está la casa?"]


def test_every_spanish_text_passes_the_guards_with_the_agents_first_name_only() -> None:
    for script in (BUYER_ES, SELLER_ES):
        for _, template in script.templates():
            text = template.render("Maria", "Dana", {"appointment": "2026-12-03T14:00"}, "es")
            assert "Whitfield" not in text


# ---------------------------------------------------------------- the script format


def _spanish(text: str) -> str:
    return (
        (REPO / "scripts" / "buyer-es" / "v1.yaml")
        .read_text(encoding="utf-8")
        .replace("language: es", text)
    )


def test_an_unknown_language_is_a_located_error() -> None:
    with pytest.raises(ScriptErrors) as caught:
        parse_script(_spanish("language: fr"), "buyer-fr.yaml")
    (error,) = caught.value.errors
    assert (error.line, error.col) == (6, 11)
    assert "language" in error.message and "'es'" in error.message


def test_a_translation_in_the_scripts_own_language_is_a_located_error() -> None:
    source = _spanish("language: es").replace("  en: buyer", "  es: buyer")
    with pytest.raises(ScriptErrors) as caught:
        parse_script(source, "buyer-es.yaml")
    (error,) = caught.value.errors
    assert error.line == 8 and "the script itself is in 'es'" in error.message


def test_a_spanish_opening_must_name_the_asistente_role() -> None:
    source = _spanish("language: es").replace("Soy asistente de", "Le escribe")
    with pytest.raises(ScriptErrors, match="the assistant role \\('asistente'\\)"):
        parse_script(source, "buyer-es.yaml")


# ---------------------------------------------------------------- the Spanish corpus


# Engine-only intents the corpus does not label (SCHEMA.md labels the nine corpus intents):
# "ahorita no puedo dar un horario" declines to set a time.
_ENGINE_ONLY: dict[tuple[str, int], frozenset[Intent]] = {
    ("ces-009", 6): frozenset({Intent.DECLINE_CALL}),
}


def _labelled(rid: str, n: int, turn: dict[str, Any]) -> Reading:
    """The reading the corpus labels for turn ``n``: what the Spanish reader is to read."""
    slots = {k: tuple(v) if isinstance(v, list) else v for k, v in turn["slots"].items()}
    intents = frozenset(Intent(i) for i in turn["intents"]) | _ENGINE_ONLY.get((rid, n), set())
    return Reading(slots=slots, intents=intents, language=detect(turn["text"]))


def _records() -> list[dict[str, Any]]:
    if not CORPUS_ES.exists():  # pragma: no cover - the shared corpus sits beside the repo
        pytest.skip(f"no {CORPUS_ES}")
    return [json.loads(line) for line in CORPUS_ES.read_text(encoding="utf-8").splitlines()]


def test_given_the_labelled_readings_every_spanish_conversation_ends_as_expected() -> None:
    """The product side alone: with the readings the Spanish reader is to produce, each
    conversation of conversations-es ends in its expected status and outcomes, in Spanish,
    asking nothing twice and nothing after an opt-out."""
    for record in _records():
        sim = Simulation.start(
            BUYER,
            contact=record["lead"]["first_name"],
            agent=record["agent"]["first_name"],
            agent_last=record["agent"]["last_name"],
            at=datetime.fromisoformat(record["start"]),
            translations=SCRIPTS.translations(BUYER),
        )
        at = sim.now
        for n, turn in enumerate(record["turns"], 1):
            at += timedelta(seconds=turn["after_s"])
            sim.text(turn["text"], at, _labelled(record["id"], n, turn))
        rid, expect, conv = record["id"], record["expect"], sim.conversation
        assert conv.state == expect["status"], rid
        assert [o.kind.value for o in sim.outcomes] == expect["outcomes"], rid
        assert conv.script == "buyer-es@1", rid
        switched = sim.switches[0][0]  # "en Kissimmee" decides nothing: the switch waits
        for o in sim.outbound:
            filled = conv.sources.get(o.asks) if o.asks else None
            assert filled is None or o.after_turn < filled.turn, (rid, o)  # never re-asks
            assert record["agent"]["last_name"] not in o.text
            if o.after_turn >= switched:  # from the switch on, every text is Spanish
                assert detect(o.text) != "en", (rid, o.text)


def test_isa_replay_answers_for_spanish_records_and_shows_the_switch() -> None:
    record = _records()[0]
    answer = replay(record, BUYER, translations=SCRIPTS.translations(BUYER))
    assert answer["script"] == "buyer-es@1" and answer["language"] == "es"
    assert answer["switches"] == [{"after_turn": 1, "from": "buyer@1", "to": "buyer-es@1"}]
    assert answer["outbound"][0]["text"].startswith("Hi Marisol!")  # the opening was English
    assert all(detect(o["text"]) == "es" for o in answer["outbound"][1:])


def test_a_conversation_never_switches_on_the_english_corpus() -> None:
    path = CORPUS_ES.with_name("conversations.jsonl")
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        script = SCRIPTS.get(record["script"])
        answer = replay(record, script, translations=SCRIPTS.translations(script))
        assert "switches" not in answer, record["id"]
