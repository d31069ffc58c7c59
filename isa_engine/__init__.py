"""isa-engine's pure core: scripts, reading replies, the conversation machine, persona.

No clock, no I/O: time comes in as ``now``; effects go out as values.
"""

from isa_engine.authoring import parse_script
from isa_engine.conversation import Conversation, Turn, approve_text, decide, next_step
from isa_engine.errors import (
    ContactDead,
    IsaError,
    NotAllowed,
    PersonaRefused,
    ScriptError,
    ScriptErrors,
    UnknownScript,
)
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
    AlertAgent,
    CancelTimers,
    Effect,
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
from isa_engine.persona import Verdict, check
from isa_engine.reading import read
from isa_engine.script import Script, Step
from isa_engine.simulation import Simulation, replay

__all__ = [
    "AgentText",
    "AlertAgent",
    "Approve",
    "Begin",
    "CancelTimers",
    "ContactDead",
    "Conversation",
    "Effect",
    "EmitOutcome",
    "Event",
    "HandBack",
    "Intent",
    "IsaError",
    "NotAllowed",
    "OutcomeKind",
    "PersonaRefused",
    "Reading",
    "Script",
    "ScriptError",
    "ScriptErrors",
    "SendText",
    "Simulation",
    "SlotSource",
    "StartTimer",
    "Status",
    "Step",
    "SuggestText",
    "TakeOver",
    "TextReceived",
    "TimerFired",
    "Turn",
    "UnknownScript",
    "Verdict",
    "approve_text",
    "check",
    "decide",
    "next_step",
    "parse_script",
    "read",
    "replay",
]
