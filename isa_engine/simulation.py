"""A whole conversation in memory: timers kept, suggestions sent by the auto policy.

What ``isa chat`` and ``isa replay`` drive, and what tests use to play a lead
from start to finish. Time only moves when the caller says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from isa_engine.conversation import Conversation, Turn, approve_text, decide
from isa_engine.events import Begin, Event, TextReceived, TimerFired
from isa_engine.model import (
    CancelTimers,
    Effect,
    EmitOutcome,
    Reading,
    SendText,
    StartTimer,
    SuggestText,
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
    """One lead's conversation played in memory, every suggestion approved automatically."""

    script: Script
    conversation: Conversation
    now: datetime
    timers: dict[str, datetime] = field(default_factory=dict)
    outbound: list[Outbound] = field(default_factory=list)
    outcomes: list[EmitOutcome] = field(default_factory=list)
    log: list[Effect] = field(default_factory=list)

    @classmethod
    def start(
        cls,
        script: Script,
        *,
        contact: str,
        agent: str,
        at: datetime,
        agent_last: str | None = None,
    ) -> Simulation:
        """A new lead at ``at``: the opening text goes out."""
        conv = Conversation(script=script.key, contact=contact, agent=agent, agent_last=agent_last)
        sim = cls(script=script, conversation=conv, now=at)
        sim.apply(Begin())
        return sim

    def apply(self, event: Event) -> list[Effect]:
        """Decide one event at the current time and carry out its effects."""
        turn = decide(self.script, self.conversation, event, self.now)
        return self._carry_out(turn)

    def text(
        self, body: str, at: datetime | None = None, reading: Reading | None = None
    ) -> list[Effect]:
        """The lead texts ``body`` at ``at`` (timers due before then fire first)."""
        if at is not None:
            self.advance(at)
        return self.apply(TextReceived(body, reading))

    def advance(self, to: datetime) -> list[Effect]:
        """Let time pass to ``to``, firing every timer that comes due on the way."""
        effects: list[Effect] = []
        while True:
            due = sorted((when, kind) for kind, when in self.timers.items() if when <= to)
            if not due:
                break
            when, kind = due[0]
            del self.timers[kind]
            self.now = max(self.now, when)
            effects += self.apply(TimerFired(kind))
        self.now = max(self.now, to)
        return effects

    def _carry_out(self, turn: Turn) -> list[Effect]:
        self.conversation = turn.conversation
        done: list[Effect] = []
        for effect in turn.effects:
            if isinstance(effect, SuggestText):  # the auto policy approves every suggestion
                conv = self.conversation
                effect_sent: Effect = approve_text(
                    conv, effect.text, effect.asks, effect.id, "auto"
                )
                done.append(effect)
                effect = effect_sent
            if isinstance(effect, SendText):
                self.outbound.append(
                    Outbound(self.conversation.turn, self.now, effect.text, effect.asks)
                )
            elif isinstance(effect, StartTimer):
                self.timers[effect.kind] = effect.due
            elif isinstance(effect, CancelTimers):
                for kind in effect.kinds or tuple(self.timers):
                    self.timers.pop(kind, None)
            elif isinstance(effect, EmitOutcome):
                self.outcomes.append(effect)
            done.append(effect)
        self.log += done
        return done

    def answer(self, rid: Any) -> dict[str, Any]:
        """The ``isa replay`` answer line for this conversation (SCHEMA.md section 3)."""
        conv = self.conversation
        return {
            "id": rid,
            "status": conv.state,
            "outcomes": [o.kind.value for o in self.outcomes],
            "slots": {k: list(v) if isinstance(v, tuple) else v for k, v in conv.slots.items()},
            "outbound": [
                {"after_turn": o.after_turn, "text": o.text, "asks": o.asks} for o in self.outbound
            ],
        }


def replay(record: dict[str, Any], script: Script) -> dict[str, Any]:
    """Play one corpus conversation record (SCHEMA.md section 2) and answer for it."""
    start = datetime.fromisoformat(record["start"])
    agent = record.get("agent") or {}
    sim = Simulation.start(
        script,
        contact=(record.get("lead") or {}).get("first_name") or "there",
        agent=agent.get("first_name") or "your agent",
        agent_last=agent.get("last_name"),
        at=start,
    )
    at = start
    for turn in record.get("turns", []):
        at = at + timedelta(seconds=float(turn.get("after_s", 0)))
        sim.text(turn["text"], at)
    return sim.answer(record.get("id"))
