"""The conversation machine, driven with readings given by hand (the reader is tested apart)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from adapters.script_files import FileScriptStore
from isa_engine.conversation import Conversation, decide
from isa_engine.errors import ContactDead, NotAllowed, PersonaRefused
from isa_engine.events import (
    AgentText,
    Approve,
    Begin,
    HandBack,
    TakeOver,
    TextReceived,
    TextSent,
    TimerFired,
)
from isa_engine.machine import machine_for
from isa_engine.model import (
    AlertAgent,
    CancelTimers,
    EmitOutcome,
    Intent,
    OutcomeKind,
    Reading,
    SendText,
    StartTimer,
    Status,
    SuggestText,
)
from isa_engine.simulation import Simulation

SCRIPTS = FileScriptStore(Path(__file__).resolve().parents[2] / "scripts")
BUYER = SCRIPTS.get("buyer")
T0 = datetime.fromisoformat("2026-11-23T10:00:00-06:00")


def said(**slots: object) -> Reading:
    return Reading(slots=slots)  # type: ignore[arg-type]


def meant(*intents: Intent, **slots: object) -> Reading:
    return Reading(slots=slots, intents=frozenset(intents))  # type: ignore[arg-type]


def lead(script: str = "buyer") -> Simulation:
    return Simulation.start(
        SCRIPTS.get(script), contact="Maria", agent="Dana", agent_last="Whitfield", at=T0
    )


def reply(sim: Simulation, reading: Reading, minutes: float = 1, text: str = "…") -> None:
    sim.text(text, sim.now + timedelta(minutes=minutes), reading)


def asked(sim: Simulation) -> list[str | None]:
    return [o.asks for o in sim.outbound]


def test_the_opening_names_the_agent_and_the_assistant_and_asks_nothing() -> None:
    sim = lead()
    [opening] = sim.outbound
    assert "Dana's assistant" in opening.text and "STOP" in opening.text
    assert opening.asks is None and sim.conversation.status is Status.ACTIVE


def test_questions_follow_the_script_order() -> None:
    sim = lead()
    for reading in (meant(Intent.AFFIRM), said(beds=3), said(baths=2.0)):
        reply(sim, reading)
    assert asked(sim) == [None, "beds", "baths", "location"]


def test_several_answers_in_one_text_are_never_asked_again() -> None:
    sim = lead()
    reply(sim, meant(Intent.AFFIRM, beds=4, baths=3.0, location=("Frisco",), price_max=700_000))
    assert asked(sim)[-1] == "preapproval"
    assert {"beds", "baths", "location", "price_max"}.isdisjoint(asked(sim))


def test_nothing_read_gets_the_reask_once_then_the_next_step() -> None:
    sim = lead()
    reply(sim, meant(Intent.AFFIRM))
    reply(sim, said())
    reply(sim, said())
    assert asked(sim) == [None, "beds", "beds", "baths"]
    assert "Sorry, I missed that" in sim.outbound[2].text
    assert "beds" in sim.conversation.skipped


def test_a_firm_time_makes_an_appointment_with_its_outcome() -> None:
    sim = lead()
    reply(sim, meant(Intent.AFFIRM, beds=3))
    reply(sim, said(appointment="2026-11-24T15:00"))
    assert sim.conversation.status is Status.APPOINTMENT
    assert [o.kind for o in sim.outcomes] == [OutcomeKind.APPOINTMENT]
    assert "Tuesday, November 24 at 3 PM" in sim.outbound[-1].text


def test_a_day_without_a_time_asks_for_the_time() -> None:
    sim = lead()
    reply(sim, meant(Intent.AFFIRM, beds=3))
    sim.text("thursday afternoon", sim.now + timedelta(minutes=1), Reading(day_only="2026-11-26"))
    assert sim.outbound[-1].asks == "appointment"
    assert sim.conversation.status is Status.ACTIVE and not sim.outcomes


def test_declining_a_call_after_giving_information_is_an_engagement() -> None:
    sim = lead()
    reply(sim, meant(Intent.AFFIRM, beds=3, location=("Henderson",)))
    reply(sim, meant(Intent.DECLINE_CALL))
    assert sim.conversation.status is Status.ENGAGED
    assert [o.kind for o in sim.outcomes] == [OutcomeKind.ENGAGEMENT]


def test_a_call_request_without_a_time_engages_and_alerts_the_agent() -> None:
    sim = lead()
    reply(sim, said(beds=4, baths=3.0))
    effects = sim.text(
        "just have her call me whenever", sim.now + timedelta(minutes=2), meant(Intent.CALL_REQUEST)
    )
    assert any(isinstance(e, AlertAgent) for e in effects)
    assert sim.conversation.status is Status.ENGAGED


def test_new_information_after_an_appointment_is_an_update() -> None:
    sim = lead()
    reply(sim, said(beds=3, appointment="2026-11-24T15:00"))
    reply(sim, said(email="maria@example.com"), minutes=60)
    assert [o.kind for o in sim.outcomes] == [OutcomeKind.APPOINTMENT, OutcomeKind.UPDATE]
    assert sim.conversation.status is Status.APPOINTMENT


def test_a_reschedule_with_a_new_time_updates_the_appointment() -> None:
    sim = lead()
    reply(sim, said(beds=3, appointment="2026-11-24T15:00"))
    reply(sim, meant(Intent.RESCHEDULE, appointment="2026-11-26T15:00"), minutes=90)
    assert sim.conversation.slots["appointment"] == "2026-11-26T15:00"
    assert [o.kind for o in sim.outcomes] == [OutcomeKind.APPOINTMENT, OutcomeKind.UPDATE]
    assert "Thursday, November 26" in sim.outbound[-1].text


def test_opt_out_kills_cancels_everything_and_confirms_once() -> None:
    sim = lead()
    reply(sim, said(beds=2))
    effects = sim.text("STOP", sim.now + timedelta(minutes=1), meant(Intent.OPT_OUT))
    assert sim.conversation.status is Status.DEAD
    assert any(isinstance(e, CancelTimers) and e.queued_texts for e in effects)
    assert [e for e in effects if isinstance(e, SuggestText)] == []
    sends = [e for e in effects if isinstance(e, SendText)]
    assert len(sends) == 1 and sends[0].asks is None
    reply(sim, meant(Intent.OPT_OUT), text="STOP")
    reply(sim, meant(Intent.AFFIRM), text="yes")
    assert len(sim.outbound) == 3  # opening, beds question… then the one confirmation only
    assert sim.conversation.status is Status.DEAD


def test_a_bare_yes_does_not_revive_a_dead_contact_but_start_does() -> None:
    sim = lead()
    reply(sim, meant(Intent.OPT_OUT))
    reply(sim, meant(Intent.AFFIRM))
    assert sim.conversation.status is Status.DEAD
    reply(sim, meant(Intent.START))
    assert sim.conversation.status is Status.ACTIVE


def test_already_having_an_agent_makes_the_lead_dead_without_an_outcome() -> None:
    sim = lead()
    reply(sim, said(beds=3, has_agent=True))
    assert sim.conversation.status is Status.DEAD and sim.outcomes == []


def test_silence_for_fifteen_minutes_turns_the_lead_cold_and_a_reply_revives_it() -> None:
    sim = lead()
    reply(sim, said(beds=3))
    sim.advance(sim.now + timedelta(minutes=14))
    assert sim.conversation.status is Status.ACTIVE
    sim.advance(sim.now + timedelta(minutes=2))
    assert sim.conversation.status is Status.COLD
    reply(sim, said(baths=2.0), minutes=120)
    assert sim.conversation.status is Status.ACTIVE
    assert asked(sim)[-1] == "location"


def test_a_cold_timer_that_fires_after_a_reply_does_nothing() -> None:
    conv = Conversation(script=BUYER.key, contact="Maria", agent="Dana")
    turn = decide(BUYER, conv, Begin(), T0)
    later = decide(
        BUYER, turn.conversation, TextReceived("3 bd", said(beds=3)), T0 + timedelta(minutes=5)
    )
    stale = decide(BUYER, later.conversation, TimerFired("cold"), T0 + timedelta(minutes=16))
    assert stale.conversation.status is Status.ACTIVE and stale.effects == ()


def test_a_turn_leaves_the_conversation_it_was_given_unchanged() -> None:
    conv = Conversation(script=BUYER.key, contact="Maria", agent="Dana")
    turn = decide(BUYER, conv, Begin(), T0)
    after = decide(BUYER, turn.conversation, TextReceived("3 bd", said(beds=3)), T0)
    assert turn.conversation.slots == {} and after.conversation.slots == {"beds": 3}
    assert after.conversation.sources["beds"].text == "3 bd"


def test_takeover_silences_the_engine_and_hand_back_resumes_at_the_next_empty_slot() -> None:
    sim = lead()
    reply(sim, said(beds=3))
    sim.apply(TakeOver(by="dana"))
    effects = sim.text("can we talk prices", sim.now + timedelta(minutes=1), said(baths=2.0))
    assert [e for e in effects if isinstance(e, SuggestText | SendText)] == []
    assert any(isinstance(e, AlertAgent) for e in effects)
    sim.apply(HandBack(by="dana"))
    assert sim.conversation.status is Status.ACTIVE and asked(sim)[-1] == "location"


def test_a_new_time_given_while_the_agent_has_it_is_an_update_the_agent_and_crm_get() -> None:
    sim = lead()
    reply(sim, said(beds=3, appointment="2026-11-26T10:00"))
    sim.apply(TakeOver(by="dana"))
    effects = sim.text(
        "tomorrow at 3 works", sim.now + timedelta(hours=1), said(appointment="2026-11-25T15:00")
    )
    assert [e for e in effects if isinstance(e, SuggestText | SendText)] == []  # dana has it
    assert [o.kind for o in sim.outcomes] == [OutcomeKind.APPOINTMENT, OutcomeKind.UPDATE]
    assert sim.outcomes[-1].slots["appointment"] == "2026-11-25T15:00"
    sim.apply(HandBack(by="dana"))
    assert sim.conversation.status is Status.APPOINTMENT
    assert sim.conversation.slots["appointment"] == sim.outcomes[-1].slots["appointment"]


def test_an_agent_text_that_claims_to_be_licensed_is_refused_with_a_reason() -> None:
    sim = lead()
    with pytest.raises(PersonaRefused) as caught:
        sim.apply(AgentText("As your realtor I'd offer 5% under ask", by="isa"))
    assert caught.value.reasons


def test_approving_a_suggestion_for_a_dead_contact_fails_with_a_clear_reason() -> None:
    sim = lead()
    pending = next(e for e in sim.log if isinstance(e, SuggestText))
    reply(sim, meant(Intent.OPT_OUT))
    with pytest.raises(ContactDead, match="nobody may text them"):
        sim.apply(Approve(pending, by="isa"))


def test_approving_a_question_the_lead_already_answered_is_refused() -> None:
    conv = Conversation(script=BUYER.key, contact="Maria", agent="Dana")
    first = decide(BUYER, conv, Begin(), T0)
    turn = decide(BUYER, first.conversation, TextReceived("yes", meant(Intent.AFFIRM)), T0)
    question = next(e for e in turn.effects if isinstance(e, SuggestText))
    answered = decide(BUYER, turn.conversation, TextReceived("3 bd 2 ba", said(beds=3)), T0)
    with pytest.raises(NotAllowed, match="already answered 'beds'"):
        decide(BUYER, answered.conversation, Approve(question, by="isa"), T0)


def test_each_suggestion_says_why_and_the_cold_timer_waits_until_the_text_is_sent() -> None:
    conv = Conversation(script=BUYER.key, contact="Maria", agent="Dana")
    turn = decide(BUYER, conv, Begin(), T0)
    [suggestion] = turn.effects
    assert isinstance(suggestion, SuggestText) and suggestion.why
    approved = decide(BUYER, turn.conversation, Approve(suggestion, by="isa"), T0)
    sent_at = T0 + timedelta(minutes=7)  # the ISA took seven minutes
    sent = decide(BUYER, approved.conversation, TextSent(suggestion.id, sent_at), sent_at)
    [timer] = sent.effects
    assert isinstance(timer, StartTimer) and timer.due == sent_at + timedelta(minutes=15)


def test_a_conversation_on_another_version_is_refused() -> None:
    conv = Conversation(script="buyer@7", contact="Maria", agent="Dana")
    with pytest.raises(NotAllowed, match="buyer@7"):
        decide(BUYER, conv, Begin(), T0)


def test_conditions_skip_steps_that_do_not_apply() -> None:
    sim = lead("open_house")
    assert asked(sim) == ["lead_type"]
    reply(sim, said(lead_type="sell", has_agent=False, timeframe="3-6"))
    assert asked(sim)[-1] == "address"  # beds, location, price… are for buyers


def test_one_machine_serves_every_conversation_of_a_version() -> None:
    assert machine_for(BUYER.key) is machine_for(BUYER.key)
    assert machine_for(BUYER.key).models == []


def test_outcomes_carry_the_slots_known_at_the_time() -> None:
    sim = lead()
    reply(sim, said(beds=3, appointment="2026-11-24T15:00"))
    [outcome] = [e for e in sim.log if isinstance(e, EmitOutcome)]
    assert outcome.slots == {"beds": 3, "appointment": "2026-11-24T15:00"}
