"""Try a draft: the author plays the lead against the script as it stands in the editor.

Stateless and pure: each post (``api.web.scripts``) carries the draft's YAML and all the
lead has texted so far; the core's ``Simulation`` replays the whole transcript in memory at a
fixed clock (Monday 10:00 in Austin, a minute per text) and this module only lays out what it
did. Nothing is saved, nothing is sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from isa_engine.model import AlertAgent, Effect, EmitOutcome, SendText
from isa_engine.script import Script
from isa_engine.simulation import Simulation
from isa_engine.templates import show as show_value

START = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("America/Chicago"))  # a Monday
MINUTE = timedelta(minutes=1)  # between two of the lead's texts
WAIT = "/wait 20m"  # what ``isa chat`` calls letting 20 minutes pass
CONTACT, AGENT = "Alex", "Dana"


def play(script: Script, turns: list[str]) -> dict[str, Any]:
    """Replay ``turns`` (lead texts, or WAIT) from the opening; the thread and where it ended."""
    sim = Simulation.start(script, contact=CONTACT, agent=AGENT, at=START)
    thread: list[dict[str, str]] = []
    _entries(thread, sim.log, sim.now)
    for said in turns:
        if said == WAIT:
            thread.append({"kind": "wait", "text": "20 minutes pass"})
            _entries(thread, sim.advance(sim.now + timedelta(minutes=20)), sim.now)
        else:
            at = sim.now + MINUTE
            thread.append({"kind": "lead", "text": said, "at": _clock(at)})
            _entries(thread, sim.text(said, at), sim.now)
    conv = sim.conversation
    return {
        "thread": thread,
        "slots": [(k, show_value(k, v)) for k, v in conv.slots.items()],
        "status": conv.state,
        "awaiting": conv.awaiting,
        "outcomes": [o.kind.value for o in sim.outcomes],
        "now": _clock(sim.now),
    }


def _clock(at: datetime) -> str:
    return at.strftime("%a %H:%M")


def _entries(thread: list[dict[str, str]], effects: list[Effect], now: datetime) -> None:
    for effect in effects:
        if isinstance(effect, SendText):
            asks = f" · asks {effect.asks}" if effect.asks else ""
            thread.append({"kind": "assistant", "text": effect.text, "at": _clock(now) + asks})
        elif isinstance(effect, EmitOutcome):
            thread.append({"kind": "outcome", "text": f"{effect.kind.value}: {effect.reason}"})
        elif isinstance(effect, AlertAgent):
            thread.append({"kind": "alert", "text": f"alert to the agent: {effect.reason}"})
