"""isa-engine's pure core: scripts, reading replies, the conversation machine, persona.

No clock, no I/O: time comes in as ``now``; effects go out as values.

Each name is imported when first used (PEP 562), so ``import isa_engine.errors`` or one
command of the CLI loads only the modules it needs, not the reader's and the machine's.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_WHERE = {
    "AgentText": "isa_engine.events",
    "AlertAgent": "isa_engine.model",
    "Approve": "isa_engine.events",
    "Begin": "isa_engine.events",
    "CancelTimers": "isa_engine.model",
    "ContactDead": "isa_engine.errors",
    "Conversation": "isa_engine.conversation",
    "Effect": "isa_engine.model",
    "EmitOutcome": "isa_engine.model",
    "Event": "isa_engine.events",
    "HandBack": "isa_engine.events",
    "Intent": "isa_engine.model",
    "IsaError": "isa_engine.errors",
    "NotAllowed": "isa_engine.errors",
    "OutcomeKind": "isa_engine.model",
    "PersonaRefused": "isa_engine.errors",
    "Reading": "isa_engine.model",
    "Script": "isa_engine.script",
    "ScriptError": "isa_engine.errors",
    "ScriptErrors": "isa_engine.errors",
    "SendText": "isa_engine.model",
    "Simulation": "isa_engine.simulation",
    "SlotSource": "isa_engine.model",
    "StartTimer": "isa_engine.model",
    "Status": "isa_engine.model",
    "Step": "isa_engine.script",
    "SuggestText": "isa_engine.model",
    "TakeOver": "isa_engine.events",
    "TextReceived": "isa_engine.events",
    "TimerFired": "isa_engine.events",
    "Turn": "isa_engine.conversation",
    "UnknownScript": "isa_engine.errors",
    "Verdict": "isa_engine.persona",
    "approve_text": "isa_engine.conversation",
    "check": "isa_engine.persona",
    "decide": "isa_engine.conversation",
    "next_step": "isa_engine.conversation",
    "parse_script": "isa_engine.authoring",
    "read": "isa_engine.reading",
    "replay": "isa_engine.simulation",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'isa_engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next access is a plain attribute
    return value


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
