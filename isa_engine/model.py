"""The engine's vocabulary: statuses, slots, intents, readings and effects.

Plain frozen values only. Everything the core decides leaves it as one of the
effect types at the bottom of this module; adapters carry them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

SlotValue = int | float | str | bool | tuple[str, ...]
"""A slot's value: see ``SLOT_TYPES`` for which type each slot takes."""


class Status(StrEnum):
    """Where a lead is (seed 000; DESIGN.md "Statuses")."""

    ACTIVE = "active"
    COLD = "cold"
    APPOINTMENT = "appointment"
    ENGAGED = "engaged"
    AGENT = "agent"
    DEAD = "dead"


class Intent(StrEnum):
    """What a text wants, beside the slots it fills.

    The first nine are the corpus vocabulary (``../shared/corpus/SCHEMA.md``);
    the rest are read for the engine's own use and never scored.
    """

    OPT_OUT = "opt_out"
    WRONG_NUMBER = "wrong_number"
    NOT_INTERESTED = "not_interested"
    QUESTION = "question"
    CALL_REQUEST = "call_request"
    IDENTITY_QUESTION = "identity_question"
    RESCHEDULE = "reschedule"
    AFFIRM = "affirm"
    DENY = "deny"
    # engine-only
    HELP = "help"  # HELP / INFO keyword (COMPLIANCE.md #8)
    START = "start"  # START / UNSTOP: a recorded re-opt-in
    DECLINE_CALL = "decline_call"  # will not set a time to talk ("can't do a call", "just text me")


CORPUS_INTENTS: frozenset[Intent] = frozenset(list(Intent)[:9])


class Speaker(StrEnum):
    """In whose name a text goes: the assistant's (the persona guard applies) or the agent's own,
    on a conversation the agent took over (licensed: only the rules that bind everyone apply)."""

    ASSISTANT = "assistant"
    AGENT = "agent"


class OutcomeKind(StrEnum):
    """What the agent is handed (seed 000)."""

    APPOINTMENT = "appointment"
    ENGAGEMENT = "engagement"
    UPDATE = "update"


# Each slot and the Python type of its value. Order is the natural order of a
# buyer conversation; scripts choose their own.
SLOT_TYPES: Mapping[str, type] = {
    "lead_type": str,  # "buy" | "sell" | "both" | "rent"
    "beds": int,
    "baths": float,
    "location": tuple,  # tuple[str, ...], each place title-cased
    "price_min": int,
    "price_max": int,
    "preapproval": str,  # "yes" | "no" | "in_progress" | "cash"
    "has_agent": bool,
    "timeframe": str,  # "0-3" | "3-6" | "6-12" | "12+"
    "appointment": str,  # "YYYY-MM-DDTHH:MM", lead-local
    "email": str,
    # seller scripts
    "address": str,
    "home_value": int,
}
SLOTS: frozenset[str] = frozenset(SLOT_TYPES)

# Slots whose value is one of a closed set.
SLOT_CHOICES: Mapping[str, frozenset[str]] = {
    "lead_type": frozenset({"buy", "sell", "both", "rent"}),
    "preapproval": frozenset({"yes", "no", "in_progress", "cash"}),
    "timeframe": frozenset({"0-3", "3-6", "6-12", "12+"}),
}


@dataclass(frozen=True, slots=True)
class Reading:
    """What one inbound text says: the slots it fills and the intents it carries.

    ``day_only`` holds a day given without a firm time ("tomorrow afternoon"),
    as ``YYYY-MM-DD``, so the engine can ask for the time. ``time_only`` says the
    appointment came from a clock time without a day ("2pm instead"): its date is
    only the reader's guess, and an agreed day keeps it. ``language`` is the language the
    text is written in (``"es"``, ``"en"``), None when it cannot be told ("ok", "3").
    """

    slots: Mapping[str, SlotValue] = field(default_factory=dict)
    intents: frozenset[Intent] = frozenset()
    day_only: str | None = None
    time_only: bool = False
    language: str | None = None

    def has(self, intent: Intent) -> bool:
        """True when the text carries ``intent``."""
        return intent in self.intents

    def to_json(self) -> dict[str, Any]:
        """The corpus answer format: slots (lists for places) and corpus intents."""
        slots = {k: list(v) if isinstance(v, tuple) else v for k, v in self.slots.items()}
        intents = sorted(i.value for i in self.intents if i in CORPUS_INTENTS)
        return {"slots": slots, "intents": intents}


@dataclass(frozen=True, slots=True)
class Unsent:
    """A text of ours the core proposed or queued that has not left yet, and the slot it asks."""

    text: str
    asks: str | None = None


@dataclass(frozen=True, slots=True)
class SlotSource:
    """Where a slot's value came from: the inbound turn (1-based) and its text."""

    turn: int
    text: str


# ---------------------------------------------------------------- effects


@dataclass(frozen=True, slots=True)
class SuggestText:
    """A reply the engine proposes; an ISA or the auto policy decides it.

    ``asks`` is the slot the text asks for (None when it asks nothing), and
    ``why`` says in plain words why it was suggested.
    """

    id: str
    text: str
    asks: str | None
    why: str
    step: str | None = None


@dataclass(frozen=True, slots=True)
class SendText:
    """A text to send now (or at the next allowed time): an approved suggestion or a typed text.

    ``key`` names it to the core until it is sent (the suggestion's id, or ``t<n>``):
    the sender reports ``TextSent(key)`` when it leaves.
    """

    text: str
    asks: str | None
    suggestion_id: str | None
    by: str  # "auto", or who approved / typed it
    key: str = ""
    help: bool = False  # the HELP answer: goes at once, at any hour, even to the dead (#8)


@dataclass(frozen=True, slots=True)
class EmitOutcome:
    """An Appointment, Engagement or Update for the agent."""

    kind: OutcomeKind
    slots: Mapping[str, SlotValue]
    reason: str


@dataclass(frozen=True, slots=True)
class AlertAgent:
    """Tell the agent something now (a call request, a question only they may answer)."""

    reason: str
    text: str


@dataclass(frozen=True, slots=True)
class DropTexts:
    """Texts the core proposed or queued that must not go (``keys``): a pending suggestion
    is withdrawn, a queued text cancelled; ``why`` is kept with them."""

    keys: tuple[str, ...]
    why: str


@dataclass(frozen=True, slots=True)
class StartTimer:
    """Fire ``kind`` at ``due`` unless the conversation moves on first."""

    kind: str
    due: datetime


@dataclass(frozen=True, slots=True)
class CancelTimers:
    """Drop pending timers (all kinds when ``kinds`` is empty) and queued texts."""

    kinds: tuple[str, ...] = ()
    queued_texts: bool = False


@dataclass(frozen=True, slots=True)
class SwitchLanguage:
    """The conversation moved to its script's version in another language (``from_script`` →
    ``to_script``, both ``name@version``): the lead wrote in ``language``. Slots, answers
    and status are kept; the service records the move and re-pins the conversation."""

    from_script: str
    to_script: str
    language: str
    reason: str


Effect = (
    SuggestText
    | SendText
    | EmitOutcome
    | AlertAgent
    | StartTimer
    | CancelTimers
    | DropTexts
    | SwitchLanguage
)
