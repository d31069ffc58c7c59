"""The turn logic: what the assistant does with each event.

Order matters and is the product's: read the text first; opt-out before
anything else; HELP at any point without advancing; an agent's conversation
is only forwarded; then slots are filled, the dead rules checked, and the
next question is the first step whose slot is empty and whose condition holds.

Time is the lead's: a suggestion is not a sent text. The cold timer starts when
the sender reports our text left (``TextSent``), restarts with each later text,
and stops when the lead answers; while a reply is owed by us (a suggestion in the
queue, a text held by quiet hours, a rejected suggestion nobody replaced) the
lead is never cold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from isa_engine.errors import ContactDead, NotAllowed
from isa_engine.events import (
    AgentText,
    Approve,
    Begin,
    Event,
    HandBack,
    Reject,
    TakeOver,
    TextNotSent,
    TextReceived,
    TextSent,
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
    SlotSource,
    StartTimer,
    Status,
    SwitchLanguage,
)
from isa_engine.reading import read
from isa_engine.replies import (
    DEAD_TEXT,
    HELP_TEXT,
    OPENING_KEY,
    approve_text,
    auto_text,
    finish,
    guard,
    help_text,
    needs_reply,
    propose,
    queue,
    sent,
    withdraw,
)
from isa_engine.script import LANGUAGE_NAMES, Script, Step
from isa_engine.templates import Template

if TYPE_CHECKING:
    from isa_engine.conversation import Conversation

COLD = "cold"
HANDED_OVER = (Status.APPOINTMENT, Status.ENGAGED)
RESUBSCRIBED = {
    "en": "You're subscribed again. Reply STOP at any time to opt out.",
    "es": "Está suscrito de nuevo. Responda STOP o BAJA en cualquier momento para salir.",
}
APPOINTMENT = "appointment"


def handle(
    script: Script,
    conv: Conversation,
    event: Event,
    now: datetime,
    translations: Mapping[str, Script] | None = None,
) -> None:
    """Apply ``event`` to ``conv`` (a private copy), appending effects to it; ``translations``
    are the script in other languages, by language (see ``conversation.decide``)."""
    conv.language = script.language
    if isinstance(event, TextReceived):
        _inbound(script, conv, event, now, translations or {})
    elif isinstance(event, TextSent):
        _text_sent(script, conv, event)
    elif isinstance(event, TextNotSent):
        conv.unsent.pop(event.key, None)
        conv.effects.append(AlertAgent("a text to the lead could not be sent", event.reason))
    elif isinstance(event, Begin):
        conv.awaiting = OPENING_KEY
        _suggest(script, conv, script.opening, script.opening_asks, "first text to a new lead")
    elif isinstance(event, TimerFired):
        _timer(script, conv, event.kind, now)
    elif isinstance(event, TakeOver):
        if conv.status in (Status.DEAD, Status.AGENT):
            raise NotAllowed(f"cannot take over a conversation that is {conv.state}")
        conv.fire("take_over")
        withdraw(conv, "an agent took the conversation over", opening_too=True)
        conv.effects.append(CancelTimers(kinds=(COLD,)))
    elif isinstance(event, HandBack):
        _hand_back(script, conv, now)
    elif isinstance(event, Approve):
        _approve(conv, event)
    elif isinstance(event, Reject):
        _reject(conv, event)
    elif isinstance(event, AgentText):
        queue(conv, approve_text(conv, event.text, None, None, event.by, speaker=event.speaker))
    finish(conv, OPENING_KEY if isinstance(event, Begin) else None)


# ---------------------------------------------------------------- people and the sender


def _approve(conv: Conversation, event: Approve) -> None:
    sugg = event.suggestion
    if conv.status is Status.DEAD:
        raise ContactDead(DEAD_TEXT)
    if conv.status is Status.AGENT:
        raise NotAllowed("an agent has this conversation: the engine's suggestions wait")
    if event.text is None and sugg.asks in conv.slots:
        raise NotAllowed(f"the lead already answered {sugg.asks!r}; this question is stale")
    if sugg.id not in conv.unsent:
        raise NotAllowed(f"suggestion {sugg.id} was withdrawn or sent already")
    queue(conv, approve_text(conv, event.text or sugg.text, sugg.asks, sugg.id, event.by))


def _reject(conv: Conversation, event: Reject) -> None:
    """A rejected suggestion leaves the reply owed, for a person to write; rejecting that
    request too says no reply is owed."""
    sugg = event.suggestion
    conv.unsent.pop(sugg.id, None)
    if sugg.asks is not None and conv.asked.get(sugg.asks, 0) > 0:
        conv.asked[sugg.asks] -= 1
    if sugg.text:
        shown = sugg.text if len(sugg.text) <= 60 else sugg.text[:59] + "…"
        why = f'needs a reply: {event.by} rejected "{shown}": {event.reason}'
        needs_reply(conv, sugg.asks, why)


def _text_sent(script: Script, conv: Conversation, event: TextSent) -> None:
    """Our text left: the lead now owes us an answer, so the cold timer (re)starts."""
    sent(conv, event.key)
    conv.last_outbound_at = event.at
    if conv.status is Status.ACTIVE and not conv.unsent and not _lead_spoke_last(conv):
        conv.effects.append(StartTimer(COLD, event.at + script.timers.cold_after))


def _timer(script: Script, conv: Conversation, kind: str, now: datetime) -> None:
    """Cold: no answer to our last text that left for ``cold_after``, and nothing owed by us.
    A timer that fires after the conversation moved on does nothing."""
    if kind != COLD or conv.status is not Status.ACTIVE or conv.last_outbound_at is None:
        return
    if conv.unsent or _lead_spoke_last(conv):
        return
    if now >= conv.last_outbound_at + script.timers.cold_after:
        conv.fire("cool")


def _hand_back(script: Script, conv: Conversation, now: datetime) -> None:
    """Back to the engine: it answers the lead if the lead spoke last; if the agent's text is
    the last word, it waits for the lead (never re-asking what the agent just asked)."""
    if conv.status is not Status.AGENT:
        raise NotAllowed("only a conversation an agent took over can be handed back")
    conv.fire("hand_back")
    if conv.state != Status.ACTIVE.value:  # back to a handed-over status
        return
    if conv.last_outbound_at is None or _lead_spoke_last(conv):
        _ask_next(script, conv, why="handed back by the agent: next empty slot")
    elif not conv.unsent:
        due = max(now, conv.last_outbound_at + script.timers.cold_after)
        conv.effects.append(StartTimer(COLD, due))


def _lead_spoke_last(conv: Conversation) -> bool:
    if conv.last_inbound_at is None:
        return False
    return conv.last_outbound_at is None or conv.last_inbound_at > conv.last_outbound_at


# ---------------------------------------------------------------- inbound


def _inbound(
    script: Script,
    conv: Conversation,
    event: TextReceived,
    now: datetime,
    translations: Mapping[str, Script],
) -> None:
    conv.turn += 1
    conv.last_inbound_at = now
    text = event.text
    reading = event.reading or read(text, _expecting(conv), now)
    if conv.status is Status.DEAD:
        if reading.has(Intent.START):  # a recorded re-opt-in is the only way back
            conv.fire("revive")
            conv.final_text_sent = False
            auto_text(conv, RESUBSCRIBED.get(conv.language, RESUBSCRIBED["en"]))
        elif reading.has(Intent.HELP):  # HELP is answered even after an opt-out (CTIA)
            _help(script, conv, text)
        return
    # before anything is answered, so even the opt-out confirmation is in the lead's language
    script = _switch_language(script, conv, reading, translations)
    conv.effects.append(CancelTimers(kinds=(COLD,)))  # the lead answered
    if reading.has(Intent.OPT_OUT):
        _die(script, conv, script.handler(Intent.OPT_OUT).reply, "opted out", text)
        return
    if reading.has(Intent.HELP):
        _help(script, conv, text)
        return
    # this turn answers everything: what has not left is withdrawn (what is leaving will arrive)
    withdraw(conv, "superseded by the lead's later text", keep=event.leaving)
    reading = _anchored(conv, reading, now)
    new, changed = _fill(conv, reading, text)
    if conv.status is Status.AGENT:  # the engine only forwards: the agent has it
        if (new | changed) and (conv.was_appointment() or conv.was_engaged()):
            # what an Appointment or Engagement told the agent (and the CRM) has changed:
            # an Update says so now, as it would have without the takeover
            said = ", ".join(sorted(new | changed))
            _outcome(conv, OutcomeKind.UPDATE, f"new information while you had it: {said}")
        conv.effects.append(AlertAgent("the lead texted while you have the conversation", text))
        return
    if conv.status is Status.COLD:
        conv.fire("reply")
    if reading.has(Intent.WRONG_NUMBER):
        _die(script, conv, script.handler(Intent.WRONG_NUMBER).reply, "wrong number", text)
        return
    for rule in script.outcomes.dead_when:
        if rule.holds(conv.slots):
            why = f"{rule.slot} is {conv.slots[rule.slot]}"
            _die(script, conv, script.closings.dead, why, text)
            return
    if conv.status in HANDED_OVER:
        _after_handover(script, conv, reading, new | changed, text)
    else:
        _qualify(script, conv, reading, bool(new | changed), text)


def _switch_language(
    script: Script, conv: Conversation, reading: Reading, translations: Mapping[str, Script]
) -> Script:
    """A lead who writes in another language the script has a version in is moved to that
    version at once, everything known kept; the reply to this very text is in it."""
    language = reading.language
    other = translations.get(language) if language and language != script.language else None
    if other is None or other.language != language:
        return script
    before = conv.script
    conv.script, conv.language, conv.switched_from = other.key, other.language, before
    name = LANGUAGE_NAMES.get(other.language, other.language)
    why = f"the lead wrote in {name}: {before} → {other.key}, everything known kept"
    conv.effects.append(SwitchLanguage(before, other.key, other.language, why))
    return other


def _anchored(conv: Conversation, reading: Reading, now: datetime) -> Reading:
    """A new time alone keeps the agreed (or named) day; a new day alone keeps the agreed time."""
    agreed = conv.slots.get(APPOINTMENT)
    agreed = agreed if isinstance(agreed, str) and len(agreed) == 16 else None
    found = reading.slots.get(APPOINTMENT)
    value = None
    if isinstance(found, str) and reading.time_only:
        day = conv.proposed_day or (agreed[:10] if agreed else None)
        value = f"{day}T{found[11:]}" if day else None
    elif found is None and reading.day_only and agreed:
        value = f"{reading.day_only}T{agreed[11:]}"
    if value is None or datetime.fromisoformat(value).replace(tzinfo=now.tzinfo) <= now:
        return reading
    return replace(reading, slots={**reading.slots, APPOINTMENT: value}, day_only=None)


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
    if APPOINTMENT in reading.slots:
        conv.proposed_day = None
    elif reading.day_only:
        conv.proposed_day = reading.day_only
    return new, changed


def _die(script: Script, conv: Conversation, reply: Template | None, why: str, text: str) -> None:
    """Dead: one last fixed text at most, queued texts and timers cancelled, the agent told."""
    if reply is not None and not conv.final_text_sent:
        auto_text(conv, _render(reply, conv))
        conv.final_text_sent = True
    conv.fire("kill")
    conv.awaiting = None
    conv.effects.append(AlertAgent(f"lead is dead: {why}", text))


def _after_handover(
    script: Script, conv: Conversation, reading: Reading, news: set[str], text: str
) -> None:
    """After an Appointment or Engagement: a time books, anything new is an Update."""
    if conv.status is Status.ENGAGED and APPOINTMENT in news and _appointment_ready(script, conv):
        _book(script, conv)
        return
    rescheduling = reading.has(Intent.RESCHEDULE)
    if news or rescheduling:
        said = ", ".join(sorted(news)) or "wants to reschedule"
        _outcome(conv, OutcomeKind.UPDATE, f"new information: {said}")
        if APPOINTMENT in news:
            _suggest(script, conv, script.closings.appointment, None, "confirms the new time")
        elif rescheduling:
            _handler(script, conv, Intent.RESCHEDULE, text)
        else:
            _suggest(script, conv, script.closings.update, None, "acknowledges new information")
        return
    if reading.day_only and APPOINTMENT not in conv.slots:
        _suggest(script, conv, script.closings.ask_time, APPOINTMENT, "a day without a time")
        return
    for intent in (Intent.IDENTITY_QUESTION, Intent.QUESTION, Intent.CALL_REQUEST):
        if reading.has(intent):
            _handler(script, conv, intent, text)


def _qualify(
    script: Script, conv: Conversation, reading: Reading, learned: bool, text: str
) -> None:
    """Active: answer off-script intents, then book, engage, or ask the next question."""
    for intent in (Intent.IDENTITY_QUESTION, Intent.QUESTION):
        if reading.has(intent):
            _handler(script, conv, intent, text)
    opening = conv.awaiting == OPENING_KEY
    if reading.has(Intent.NOT_INTERESTED) or (opening and reading.has(Intent.DENY) and not learned):
        closing = script.closings.not_interested or script.handler(Intent.NOT_INTERESTED).reply
        if closing is not None:
            _suggest(script, conv, closing, None, "lead is not interested")
        conv.awaiting = None
        conv.fire("cool")
        return
    if _appointment_ready(script, conv):
        _book(script, conv)
        return
    informed = _informed(script, conv)
    if reading.has(Intent.CALL_REQUEST) and APPOINTMENT not in conv.slots:
        _handler(script, conv, Intent.CALL_REQUEST, text, reply=not informed)
        if informed:
            _engage(script, conv, "asked for a call without a time", closing=False)
            _handler_reply(script, conv, Intent.CALL_REQUEST)
            return
    declined = reading.has(Intent.DECLINE_CALL) or (
        conv.awaiting == APPOINTMENT and reading.has(Intent.DENY)
    )
    if declined and APPOINTMENT not in conv.slots:
        if APPOINTMENT not in conv.skipped:  # not asked again unless they bring a time up
            conv.skipped.append(APPOINTMENT)
        if informed:
            _engage(script, conv, "gave information but will not set a time")
            return
    if reading.day_only and APPOINTMENT not in conv.slots and not declined:
        _suggest(script, conv, script.closings.ask_time, APPOINTMENT, "a day without a time")
        return
    why = "first empty slot" if learned else "nothing read: asks again in other words"
    _ask_next(script, conv, why=why)


def _ask_next(script: Script, conv: Conversation, why: str) -> None:
    """Ask the next empty step, in its re-ask words the second time, never past its limit."""
    while (step := next_step(script, conv)) is not None:
        times = conv.asked.get(step.slot, 0)
        if times < _ask_limit(step):
            wording = step.reask if times and step.reask is not None else step.ask
            _suggest(script, conv, wording, step.slot, why if times else "first empty slot")
            return
        conv.skipped.append(step.slot)  # asked as often as the script allows: move on
    if _informed(script, conv):
        _engage(script, conv, "every question asked, no time set")
    conv.awaiting = None


def _ask_limit(step: Step) -> int:
    return 2 if step.required and step.reask is not None else 1


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
    given = sum(1 for slot in conv.slots if slot != APPOINTMENT)
    return given >= max(1, script.outcomes.engagement_min_slots)


def _book(script: Script, conv: Conversation) -> None:
    conv.fire("book")
    conv.awaiting = None
    _outcome(conv, OutcomeKind.APPOINTMENT, f"a firm time to talk: {conv.slots[APPOINTMENT]}")
    _suggest(script, conv, script.closings.appointment, None, "confirms the appointment")


def _engage(script: Script, conv: Conversation, why: str, closing: bool = True) -> None:
    conv.fire("engage")
    conv.awaiting = None
    _outcome(conv, OutcomeKind.ENGAGEMENT, why)
    if closing:
        _suggest(script, conv, script.closings.engagement, None, why)


def _outcome(conv: Conversation, kind: OutcomeKind, reason: str) -> None:
    conv.outcomes.append(kind)
    conv.effects.append(EmitOutcome(kind, dict(conv.slots), reason))


def _handler(
    script: Script, conv: Conversation, intent: Intent, text: str, reply: bool = True
) -> None:
    """An off-script intent: the agent alerted with the lead's own words, if the script says."""
    if script.handler(intent).alert_agent:
        conv.effects.append(AlertAgent(f"lead: {intent.value.replace('_', ' ')}", text))
    if reply:
        _handler_reply(script, conv, intent)


def _help(script: Script, conv: Conversation, text: str) -> None:
    """HELP: the script's fixed help text at once, by the engine (no queue, no edit); the
    agent alerted if the script says; the script does not advance."""
    if script.handler(Intent.HELP).alert_agent:
        conv.effects.append(AlertAgent("lead: help", text))
    reply = script.handler(Intent.HELP).reply
    help_text(conv, _render(reply, conv) if reply is not None else HELP_TEXT)


def _handler_reply(script: Script, conv: Conversation, intent: Intent) -> None:
    reply = script.handler(intent).reply
    if reply is not None:
        _suggest(script, conv, reply, None, f"handler for {intent.value}")


def _suggest(
    script: Script, conv: Conversation, template: Template, asks: str | None, why: str
) -> None:
    """Draft a text; one the guard refuses is never proposed, and the agent is told."""
    text = _render(template, conv)
    reasons = guard(text, conv)
    if reasons:
        conv.effects.append(AlertAgent("a scripted text failed the guard", "; ".join(reasons)))
        return
    propose(conv, text, asks, why, asks)


def _render(template: Template, conv: Conversation) -> str:
    return template.render(conv.contact, conv.agent, conv.slots, conv.language)


def _expecting(conv: Conversation) -> str | None:
    return conv.awaiting if conv.awaiting in SLOTS else None
