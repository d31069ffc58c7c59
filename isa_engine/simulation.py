"""A whole conversation in memory: timers kept, suggestions approved by a simulated ISA.

What ``isa chat`` and ``isa replay`` drive, and what tests use to play a lead
from start to finish. Time only moves when the caller says so. The ISA approves
every suggestion, at once or ``approve_after`` later (a slow ISA); a text counts
as sent (``TextSent``) the moment it is approved, as the console sender prints it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from isa_engine.conversation import Conversation, Turn, decide
from isa_engine.events import Approve, Begin, Event, TextReceived, TextSent, TimerFired
from isa_engine.model import (
    CancelTimers,
    DropTexts,
    Effect,
    EmitOutcome,
    Reading,
    SendText,
    StartTimer,
    SuggestText,
    SwitchLanguage,
)
from isa_engine.script import Script


@dataclass(frozen=True, slots=True)
class Outbound:
    """A text that went out, after how many inbound turns, and the slot it asked."""

    after_turn: int
    at: datetime
    text: str
    asks: str | None


@dataclass
class Simulation:
    """One lead's conversation played in memory; every suggestion is approved, after a delay."""

    script: Script
    conversation: Conversation
    now: datetime
    approve_after: timedelta = timedelta(0)
    timers: dict[str, datetime] = field(default_factory=dict)
    waiting: dict[str, tuple[datetime, SuggestText]] = field(default_factory=dict)
    outbound: list[Outbound] = field(default_factory=list)
    outcomes: list[EmitOutcome] = field(default_factory=list)
    log: list[Effect] = field(default_factory=list)
    # the script in each language it has (``translations``): a lead may move between them
    languages: dict[str, Script] = field(default_factory=dict)
    switches: list[tuple[int, SwitchLanguage]] = field(default_factory=list)

    @classmethod
    def start(
        cls,
        script: Script,
        *,
        contact: str,
        agent: str,
        at: datetime,
        agent_last: str | None = None,
        approve_after: timedelta = timedelta(0),
        translations: Mapping[str, Script] | None = None,
    ) -> Simulation:
        """A new lead at ``at``: the opening is suggested (and sent once approved).
        ``translations`` are the script in other languages, by language."""
        conv = Conversation(script=script.key, contact=contact, agent=agent, agent_last=agent_last)
        languages = {**(translations or {}), script.language: script}
        sim = cls(
            script=script,
            conversation=conv,
            now=at,
            approve_after=approve_after,
            languages=languages,
        )
        sim.apply(Begin())
        return sim

    def apply(self, event: Event) -> list[Effect]:
        """Decide one event at the current time and carry out its effects (and what follows:
        approvals due now, and the texts they send)."""
        others = {k: s for k, s in self.languages.items() if k != self.script.language}
        turn = decide(self.script, self.conversation, event, self.now, others)
        return self._carry_out(turn)

    def text(
        self, body: str, at: datetime | None = None, reading: Reading | None = None
    ) -> list[Effect]:
        """The lead texts ``body`` at ``at`` (timers and approvals due before then come first)."""
        effects: list[Effect] = []
        if at is not None:
            effects += self.advance(at)
        return effects + self.apply(TextReceived(body, reading))

    def advance(self, to: datetime) -> list[Effect]:
        """Let time pass to ``to``: each timer and each ISA approval due on the way, in order."""
        effects: list[Effect] = []
        while True:
            due = [(when, "timer", kind) for kind, when in self.timers.items() if when <= to]
            due += [(when, "approve", key) for key, (when, _) in self.waiting.items() if when <= to]
            if not due:
                break
            when, what, name = min(due)
            self.now = max(self.now, when)
            if what == "timer":
                del self.timers[name]
                effects += self.apply(TimerFired(name))
            else:
                _, suggestion = self.waiting.pop(name)
                effects += self.apply(Approve(suggestion, by="isa"))
        self.now = max(self.now, to)
        return effects

    def _carry_out(self, turn: Turn) -> list[Effect]:
        self.conversation = turn.conversation
        done: list[Effect] = list(turn.effects)
        self.log += done
        sends: list[SendText] = []
        for effect in turn.effects:
            if isinstance(effect, SuggestText) and effect.text:
                self.waiting[effect.id] = (self.now + self.approve_after, effect)
            elif isinstance(effect, SendText):
                self.outbound.append(
                    Outbound(self.conversation.turn, self.now, effect.text, effect.asks)
                )
                sends.append(effect)
            elif isinstance(effect, DropTexts):
                for key in effect.keys:
                    self.waiting.pop(key, None)
            elif isinstance(effect, StartTimer):
                self.timers[effect.kind] = effect.due
            elif isinstance(effect, CancelTimers):
                for kind in effect.kinds or tuple(self.timers):
                    self.timers.pop(kind, None)
            elif isinstance(effect, EmitOutcome):
                self.outcomes.append(effect)
            elif isinstance(effect, SwitchLanguage):
                self.script = self.languages[effect.language]
                self.switches.append((self.conversation.turn, effect))
        for send in sends:  # printed at once: it left
            done += self.apply(TextSent(send.key, self.now))
        if not self.approve_after:
            done += self.advance(self.now)  # an ISA who never waits
        return done

    def answer(self, rid: Any) -> dict[str, Any]:
        """The ``isa replay`` answer line for this conversation (SCHEMA.md section 3)."""
        conv = self.conversation
        answer: dict[str, Any] = {
            "id": rid,
            "status": conv.state,
            "outcomes": [o.kind.value for o in self.outcomes],
            "slots": {k: list(v) if isinstance(v, tuple) else v for k, v in conv.slots.items()},
            "outbound": [
                {"after_turn": o.after_turn, "text": o.text, "asks": o.asks} for o in self.outbound
            ],
        }
        if self.switches:  # beside the schema's keys: the scorer reads only those
            answer["script"] = conv.script
            answer["language"] = conv.language
            answer["switches"] = [
                {"after_turn": turn, "from": s.from_script, "to": s.to_script}
                for turn, s in self.switches
            ]
        return answer


def replay(
    record: dict[str, Any],
    script: Script,
    approve_after: timedelta = timedelta(0),
    translations: Mapping[str, Script] | None = None,
) -> dict[str, Any]:
    """Play one corpus conversation record (SCHEMA.md section 2) and answer for it; a lead
    who writes in a language of ``translations`` is moved to that version."""
    start = datetime.fromisoformat(record["start"])
    agent = record.get("agent") or {}
    sim = Simulation.start(
        script,
        contact=(record.get("lead") or {}).get("first_name") or "there",
        agent=agent.get("first_name") or "your agent",
        agent_last=agent.get("last_name"),
        at=start,
        approve_after=approve_after,
        translations=translations,
    )
    at = start
    for turn in record.get("turns", []):
        at = at + timedelta(seconds=float(turn.get("after_s", 0)))
        sim.text(turn["text"], at)
    sim.advance(at + approve_after)  # the last reply is approved too
    return sim.answer(record.get("id"))
