"""The turn logic: what the assistant does with each event.

Order matters and is the product's: read the text first; opt-out before
anything else; HELP at any point without advancing; an agent's conversation
is only forwarded; then slots are filled, the dead rules checked, and the
next question is the first step whose slot is empty and whose condition holds.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from isa_engine.errors import ContactDead, NotAllowed, PersonaRefused
from isa_engine.events import (
    AgentText,
    Approve,
    Begin,
    Event,
    HandBack,
    TakeOver,
    TextReceived,
    TimerFired,
)
from isa_engine.model import (
    SLOTS,
    AlertAgent,
    CancelTimers,
    EmitOutcome,
    Intent,
    OutcomeKind,
    Reading,
    SendText,
    SlotSource,
    StartTimer,
    Status,
    SuggestText,
)
from isa_engine.persona import check as persona_check
from isa_engine.reading import read
from isa_engine.script import Script, Step
from isa_engine.templates import Template

if TYPE_CHECKING:
    from isa_engine.conversation import Conversation

COLD = "cold"
HANDED_OVER = (Status.APPOINTMENT, Status.ENGAGED)
RESUBSCRIBED = "You're subscribed again. Reply STOP at any time to opt out."


def handle(script: Script, conv: Conversation, event: Event, now: datetime) -> None:
    """Apply ``event`` to ``conv`` (a private copy), appending effects to it."""
    if isinstance(event, TextReceived):
        _inbound(script, conv, event.text, event.reading, now)
    elif isinstance(event, Begin):
        _begin(script, conv, now)
    elif isinstance(event, TimerFired):
        _timer(script, conv, event.kind, now)
    elif isinstance(event, TakeOver):
        if conv.status in (Status.DEAD, Status.AGENT):
            raise NotAllowed(f"cannot take over a conversation that is {conv.state}")
        conv.fire("take_over")
        conv.effects.append(CancelTimers(kinds=(COLD,)))
    elif isinstance(event, HandBack):
        if conv.status is not Status.AGENT:
            raise NotAllowed("only a conversation an agent took over can be handed back")
        conv.fire("hand_back")
        if conv.state == Status.ACTIVE.value:  # hand_back may also return to a handed-over status
            _ask_next(script, conv, now, why="handed back by the agent: next empty slot")
    elif isinstance(event, Approve):
        sugg = event.suggestion
        if event.text is None and sugg.asks in conv.slots:
            raise NotAllowed(f"the lead already answered {sugg.asks!r}; this question is stale")
        _sent(conv, approve_text(conv, event.text or sugg.text, sugg.asks, sugg.id, event.by), now)
    elif isinstance(event, AgentText):
        _sent(conv, approve_text(conv, event.text, None, None, event.by), now)


def approve_text(
    conv: Conversation, text: str, asks: str | None, sid: str | None, by: str
) -> SendText:
    """A text a person approved or typed, if it may go: never to the dead, always past the guard."""
    if conv.status is Status.DEAD:
        raise ContactDead(
            "the contact is dead (opted out, has an agent or wrong number): "
            "nobody may text them through the system"
        )
    verdict = persona_check(text, conv.agent, conv.agent_last)
    if not verdict.ok:
        raise PersonaRefused(text, verdict.reasons)
    return SendText(text=text, asks=asks, suggestion_id=sid, by=by)


def _sent(conv: Conversation, send: SendText, now: datetime) -> None:
    conv.effects.append(send)
    conv.last_outbound_at = now


# ---------------------------------------------------------------- inbound


def _begin(script: Script, conv: Conversation, now: datetime) -> None:
    conv.awaiting = "opening"
    _suggest(script, conv, script.opening, script.opening_asks, "first text to a new lead", now)


def _inbound(
    script: Script, conv: Conversation, text: str, reading: Reading | None, now: datetime
) -> None:
    conv.turn += 1
    conv.last_inbound_at = now
    if reading is None:
        reading = read(text, _expecting(conv), now)
    if conv.status is Status.DEAD:
        if reading.has(Intent.START):  # a recorded re-opt-in is the only way back
            conv.fire("revive")
            conv.final_text_sent = False
            _sent(conv, SendText(RESUBSCRIBED, None, None, "auto"), now)
        return
    if reading.has(Intent.OPT_OUT):
        _die(script, conv, script.handler(Intent.OPT_OUT).reply, "opted out", text, now)
        return
    if reading.has(Intent.HELP):
        _handler(script, conv, Intent.HELP, now)
        return
    new, changed = _fill(conv, reading, text)
    if conv.status is Status.AGENT:  # the engine only forwards: the agent has it
        conv.effects.append(AlertAgent("the lead texted while you have the conversation", text))
        return
    if conv.status is Status.COLD:
        conv.fire("reply")
    if reading.has(Intent.WRONG_NUMBER):
        _die(script, conv, script.handler(Intent.WRONG_NUMBER).reply, "wrong number", text, now)
        return
    for rule in script.outcomes.dead_when:
        if rule.holds(conv.slots):
            _die(
                script,
                conv,
                script.closings.dead,
                f"{rule.slot} is {conv.slots[rule.slot]}",
                text,
                now,
            )
            return
    if conv.status in HANDED_OVER:
        _after_handover(script, conv, reading, new | changed, text, now)
    else:
        _qualify(script, conv, reading, bool(new | changed), text, now)


def _fill(conv: Conversation, reading: Reading, text: str) -> tuple[set[str], set[str]]:
    """Record what the text said; return the slots it filled and those it changed."""
    new: set[str] = set()
    changed: set[str] = set()
    for slot, value in reading.slots.items():
        if slot not in conv.slots:
            new.add(slot)
        elif conv.slots[slot] != value:
            changed.add(slot)
        else:
            continue
        conv.slots[slot] = value
        conv.sources[slot] = SlotSource(conv.turn, text)
    return new, changed


def _die(
    script: Script, conv: Conversation, reply: Template | None, why: str, text: str, now: datetime
) -> None:
    """Dead: one last fixed text at most, queued texts and timers cancelled, the agent told."""
    if reply is not None and not conv.final_text_sent:
        _sent(conv, SendText(_render(reply, conv), None, None, "auto"), now)
        conv.final_text_sent = True
    conv.fire("kill")
    conv.awaiting = None
    conv.effects.append(AlertAgent(f"lead is dead: {why}", text))


def _after_handover(
    script: Script, conv: Conversation, reading: Reading, news: set[str], text: str, now: datetime
) -> None:
    """After an Appointment or Engagement: a time books, anything new is an Update."""
    if conv.status is Status.ENGAGED and "appointment" in news and _appointment_ready(script, conv):
        _book(script, conv, now)
        return
    rescheduling = reading.has(Intent.RESCHEDULE)
    if news or rescheduling:
        said = ", ".join(sorted(news)) or "wants to reschedule"
        _outcome(conv, OutcomeKind.UPDATE, f"new information: {said}")
        if "appointment" in news:
            _suggest(script, conv, script.closings.appointment, None, "confirms the new time", now)
        elif rescheduling:
            _handler(script, conv, Intent.RESCHEDULE, now)
        else:
            _suggest(
                script, conv, script.closings.update, None, "acknowledges new information", now
            )
        return
    for intent in (Intent.IDENTITY_QUESTION, Intent.QUESTION, Intent.CALL_REQUEST):
        if reading.has(intent):
            _handler(script, conv, intent, now)


def _qualify(
    script: Script, conv: Conversation, reading: Reading, learned: bool, text: str, now: datetime
) -> None:
    """Active: answer off-script intents, then book, engage, or ask the next question."""
    answered_off_script = False
    for intent in (Intent.IDENTITY_QUESTION, Intent.QUESTION):
        if reading.has(intent):
            _handler(script, conv, intent, now)
            answered_off_script = True
    opening = conv.awaiting == "opening"
    if reading.has(Intent.NOT_INTERESTED) or (opening and reading.has(Intent.DENY) and not learned):
        closing = script.closings.not_interested or script.handler(Intent.NOT_INTERESTED).reply
        if closing is not None:
            _suggest(script, conv, closing, None, "lead is not interested", now)
        conv.awaiting = None
        conv.fire("cool")
        return
    if _appointment_ready(script, conv):
        _book(script, conv, now)
        return
    informed = _informed(script, conv)
    if reading.has(Intent.CALL_REQUEST) and "appointment" not in conv.slots:
        _handler(script, conv, Intent.CALL_REQUEST, now, suggest=not informed)
        if informed:
            _engage(script, conv, "asked for a call without a time", now, closing=False)
            _handler_reply(script, conv, Intent.CALL_REQUEST, now)
            return
        answered_off_script = True
    declined = reading.has(Intent.DECLINE_CALL) or (
        conv.awaiting == "appointment" and reading.has(Intent.DENY)
    )
    if declined and informed:
        _engage(script, conv, "gave information but will not set a time", now)
        return
    if reading.day_only and "appointment" not in conv.slots:
        _suggest(script, conv, script.closings.ask_time, "appointment", "a day without a time", now)
        return
    _continue(script, conv, learned or answered_off_script, now)


def _continue(script: Script, conv: Conversation, progressed: bool, now: datetime) -> None:
    """Ask the next question; re-ask once when the awaited step got nothing, then move on."""
    waiting = script.step_by_slot.get(conv.awaiting or "")
    if waiting is not None and waiting.slot not in conv.slots and not progressed:
        if waiting.required and waiting.reask is not None and conv.asked.get(waiting.slot, 0) < 2:
            _suggest(script, conv, waiting.reask, waiting.slot, "nothing read: asks once more", now)
            return
        conv.skipped.append(waiting.slot)
    _ask_next(script, conv, now, why="first empty slot")


def _ask_next(script: Script, conv: Conversation, now: datetime, why: str) -> None:
    step = next_step(script, conv)
    if step is None:
        if _informed(script, conv):
            _engage(script, conv, "every question asked, no time set", now)
        conv.awaiting = None
        return
    _suggest(script, conv, step.ask, step.slot, why, now)


def next_step(script: Script, conv: Conversation) -> Step | None:
    """The first step whose slot is empty, not given up on, and whose condition holds."""
    for step in script.steps:
        if step.slot in conv.slots or step.slot in conv.skipped:
            continue
        if step.when is not None and not step.when.holds(conv.slots):
            continue
        return step
    return None


def _appointment_ready(script: Script, conv: Conversation) -> bool:
    return all(slot in conv.slots for slot in script.outcomes.appointment_needs)


def _informed(script: Script, conv: Conversation) -> bool:
    given = sum(1 for slot in conv.slots if slot != "appointment")
    return given >= max(1, script.outcomes.engagement_min_slots)


def _book(script: Script, conv: Conversation, now: datetime) -> None:
    conv.fire("book")
    conv.awaiting = None
    _outcome(conv, OutcomeKind.APPOINTMENT, f"a firm time to talk: {conv.slots['appointment']}")
    _suggest(script, conv, script.closings.appointment, None, "confirms the appointment", now)


def _engage(
    script: Script, conv: Conversation, why: str, now: datetime, closing: bool = True
) -> None:
    conv.fire("engage")
    conv.awaiting = None
    _outcome(conv, OutcomeKind.ENGAGEMENT, why)
    if closing:
        _suggest(script, conv, script.closings.engagement, None, why, now)


def _outcome(conv: Conversation, kind: OutcomeKind, reason: str) -> None:
    conv.outcomes.append(kind)
    conv.effects.append(EmitOutcome(kind, dict(conv.slots), reason))


def _handler(
    script: Script, conv: Conversation, intent: Intent, now: datetime, suggest: bool = True
) -> None:
    handler = script.handler(intent)
    if handler.alert_agent:
        conv.effects.append(AlertAgent(f"lead: {intent.value.replace('_', ' ')}", ""))
    if suggest:
        _handler_reply(script, conv, intent, now)


def _handler_reply(script: Script, conv: Conversation, intent: Intent, now: datetime) -> None:
    reply = script.handler(intent).reply
    if reply is not None:
        _suggest(script, conv, reply, None, f"handler for {intent.value}", now)


def _timer(script: Script, conv: Conversation, kind: str, now: datetime) -> None:
    """A timer that fires after the conversation moved on does nothing."""
    if kind != COLD or conv.status is not Status.ACTIVE or conv.last_outbound_at is None:
        return
    # our reply to a text goes out at the same instant, so only a later text counts
    replied = conv.last_inbound_at is not None and conv.last_inbound_at > conv.last_outbound_at
    if not replied and now >= conv.last_outbound_at + script.timers.cold_after:
        conv.fire("cool")


def _suggest(
    script: Script,
    conv: Conversation,
    template: Template,
    asks: str | None,
    why: str,
    now: datetime,
) -> None:
    """Propose a text; one the persona guard refuses is never proposed, the ISA is told."""
    text = _render(template, conv)
    verdict = persona_check(text, conv.agent, conv.agent_last)
    if not verdict.ok:
        conv.effects.append(
            AlertAgent("a scripted text failed the persona guard", "; ".join(verdict.reasons))
        )
        return
    conv.seq += 1
    conv.effects.append(SuggestText(f"s{conv.seq}", text, asks, why, asks))
    conv.last_outbound_at = now
    if asks is not None:
        conv.asked[asks] = conv.asked.get(asks, 0) + 1
        conv.awaiting = asks
    if conv.status is Status.ACTIVE:
        conv.effects.append(StartTimer(COLD, now + script.timers.cold_after))


def _render(template: Template, conv: Conversation) -> str:
    return template.render(conv.contact, conv.agent, conv.slots)


def _expecting(conv: Conversation) -> str | None:
    return conv.awaiting if conv.awaiting in SLOTS else None
