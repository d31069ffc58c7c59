"""A conversation's state, the events that move it, and ``decide``: one turn, pure.

``decide(script, conversation, event, now)`` returns a ``Turn``: the new state
and the effects (texts to suggest or send, outcomes, alerts, timers). The
conversation given is never changed, so a turn can be replayed exactly.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from isa_engine import dialogue
from isa_engine.dialogue import next_step
from isa_engine.errors import NotAllowed
from isa_engine.events import Event
from isa_engine.machine import machine_for
from isa_engine.model import (
    CancelTimers,
    Effect,
    OutcomeKind,
    SlotSource,
    SlotValue,
    Status,
    Unsent,
)
from isa_engine.replies import approve_text
from isa_engine.script import Script

OPENING = "opening"  # the step the first text waits on: it asks no slot


@dataclass
class Conversation:
    """One contact's thread, pinned to one script version."""

    script: str  # name@version, kept for the conversation's whole life (invariant 8)
    contact: str  # first names only: templates use nothing else
    agent: str
    agent_last: str | None = None  # known so the guard can keep it out of every text
    state: str = Status.ACTIVE.value
    awaiting: str | None = None  # the step the last question asked
    slots: dict[str, SlotValue] = field(default_factory=dict)
    sources: dict[str, SlotSource] = field(default_factory=dict)
    asked: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    outcomes: list[OutcomeKind] = field(default_factory=list)
    turn: int = 0
    seq: int = 0
    resume_status: str | None = None
    final_text_sent: bool = False  # the one text a dead contact may get
    last_inbound_at: datetime | None = None
    last_outbound_at: datetime | None = None  # when our last text *left* (TextSent), not queued
    unsent: dict[str, Unsent] = field(default_factory=dict)  # our texts not yet sent, by key
    last_sent: str | None = None  # the last text of ours that left, so none goes twice in a row
    proposed_day: str | None = None  # a day the lead named without a time, until they give one
    language: str = "en"  # the language we text in: always the script's
    switched_from: str | None = None  # the script version before the last language switch
    effects: list[Effect] = field(default_factory=list, repr=False, compare=False)

    @property
    def status(self) -> Status:
        """The lead's status."""
        return Status(self.state)

    def copy(self) -> Conversation:
        """A copy whose containers can change without touching this one."""
        twin = copy.copy(self)
        twin.slots, twin.sources, twin.asked, twin.unsent = (
            dict(self.slots),
            dict(self.sources),
            dict(self.asked),
            dict(self.unsent),
        )
        twin.skipped, twin.outcomes, twin.effects = list(self.skipped), list(self.outcomes), []
        return twin

    # machine callbacks and conditions (named in machine.TRANSITIONS)
    def remember_status(self) -> None:
        """Keep where the lead was, so a hand-back returns there."""
        self.resume_status = self.state

    def was_appointment(self) -> bool:
        """Hand back to ``appointment`` when the agent took it from there."""
        return self.resume_status == Status.APPOINTMENT.value

    def was_engaged(self) -> bool:
        """Hand back to ``engaged`` when the agent took it from there."""
        return self.resume_status == Status.ENGAGED.value

    def on_dead(self) -> None:
        """Dead cancels every queued text and timer in the same turn (COMPLIANCE.md #4)."""
        self.effects.append(CancelTimers(kinds=(), queued_texts=True))
        self.unsent.clear()

    def fire(self, trigger: str) -> None:
        """Move the status with the script version's machine."""
        machine_for(self.script).events[trigger].trigger(self)


@dataclass(frozen=True, slots=True)
class Turn:
    """What a turn produced: the conversation after it, and its effects in order."""

    conversation: Conversation
    effects: tuple[Effect, ...]


def decide(
    script: Script,
    conversation: Conversation,
    event: Event,
    now: datetime,
    translations: Mapping[str, Script] | None = None,
) -> Turn:
    """One turn: the new state and effects for ``event`` at ``now`` (aware).

    ``translations`` are the script's versions in other languages, by language: a lead who
    writes in one of them is moved to it in this turn (``SwitchLanguage``), and the turn's
    replies are in it; ``turn.conversation.script`` then names it.
    """
    if script.key != conversation.script:
        raise NotAllowed(f"conversation is on {conversation.script}, not {script.key}")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    conv = conversation.copy()
    dialogue.handle(script, conv, event, now, translations or {})
    return Turn(conv, tuple(conv.effects))


__all__ = ["Conversation", "Turn", "approve_text", "decide", "next_step"]
