"""The events that move a conversation: inbound texts, timers, and people's actions."""

from __future__ import annotations

from dataclasses import dataclass

from isa_engine.model import Reading, SuggestText


@dataclass(frozen=True, slots=True)
class Begin:
    """The lead arrived: send the opening text."""


@dataclass(frozen=True, slots=True)
class TextReceived:
    """An inbound text; ``reading`` may be given when it was read already."""

    text: str
    reading: Reading | None = None


@dataclass(frozen=True, slots=True)
class TimerFired:
    """A timer set earlier came due."""

    kind: str


@dataclass(frozen=True, slots=True)
class TakeOver:
    """An agent takes the conversation: the engine suggests nothing until handed back."""

    by: str


@dataclass(frozen=True, slots=True)
class HandBack:
    """The agent hands the conversation back; it resumes at the next empty slot."""

    by: str


@dataclass(frozen=True, slots=True)
class Approve:
    """A person approves a suggestion, or edits it (``text``), to send it."""

    suggestion: SuggestText
    by: str
    text: str | None = None


@dataclass(frozen=True, slots=True)
class AgentText:
    """A text a person typed (an agent who took over, or an ISA)."""

    text: str
    by: str


Event = Begin | TextReceived | TimerFired | TakeOver | HandBack | Approve | AgentText
