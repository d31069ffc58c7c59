"""The events that move a conversation: inbound texts, timers, and people's actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from isa_engine.model import Reading, Speaker, SuggestText


@dataclass(frozen=True, slots=True)
class Begin:
    """The lead arrived: send the opening text."""


@dataclass(frozen=True, slots=True)
class TextReceived:
    """An inbound text; ``reading`` may be given when it was read already. ``leaving`` names
    our texts already handed to the provider (too late to withdraw: they will arrive)."""

    text: str
    reading: Reading | None = None
    leaving: frozenset[str] = frozenset()


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
class Reject:
    """A person rejects a suggestion (``reason`` kept); the lead is still owed a reply."""

    suggestion: SuggestText
    by: str
    reason: str


@dataclass(frozen=True, slots=True)
class AgentText:
    """A text a person typed: in the assistant's name (an ISA), or the agent's own
    (``speaker`` AGENT, on a conversation the agent took over)."""

    text: str
    by: str
    speaker: Speaker = Speaker.ASSISTANT


@dataclass(frozen=True, slots=True)
class TextSent:
    """Our text left for the lead's phone at ``at`` (the provider accepted it, or the console
    printed it). ``key`` is the ``SendText.key`` it was queued with (None: drip, reminder)."""

    key: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class TextNotSent:
    """Our text ``key`` will never go (the provider refused it for good); ``reason`` says why."""

    key: str
    reason: str


Event = (
    Begin
    | TextReceived
    | TimerFired
    | TakeOver
    | HandBack
    | Approve
    | Reject
    | AgentText
    | TextSent
    | TextNotSent
)
