"""The cost of a turn apart from reading, beside a baseline in the same process.

A turn here is ``decide()`` on a text whose Reading is given: copying the
state, driving the status machine, choosing the next step, rendering and
guarding the suggestion. The baseline does the least any turn must: copy the
state's containers and record one slot. Guard verdicts are cached by text, so
a scripted turn pays the guard once per distinct text; the cost of a text the
guard has not seen is printed apart. Run: ``python -m bench.turn``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from adapters.script_files import FileScriptStore
from isa_engine.conversation import Conversation, decide
from isa_engine.events import Begin, TextReceived
from isa_engine.model import Intent, Reading
from isa_engine.persona import check

SCRIPT = FileScriptStore(Path(__file__).resolve().parents[1] / "scripts").get("buyer")
T0 = datetime.fromisoformat("2026-11-23T10:00:00-06:00")
TURNS = [
    Reading(intents=frozenset({Intent.AFFIRM})),
    Reading(slots={"beds": 3}),
    Reading(slots={"baths": 2.0}),
    Reading(slots={"location": ("Pflugerville", "Hutto")}),
    Reading(slots={"price_max": 400_000}),
    Reading(slots={"preapproval": "yes"}, intents=frozenset({Intent.AFFIRM})),
    Reading(slots={"has_agent": False}),
    Reading(slots={"appointment": "2026-11-24T15:00"}),
]


def engine_conversation() -> int:
    conv = decide(SCRIPT, Conversation(SCRIPT.key, "Maria", "Dana"), Begin(), T0).conversation
    for i, reading in enumerate(TURNS, 1):
        conv = decide(
            SCRIPT, conv, TextReceived("…", reading), T0 + timedelta(minutes=i)
        ).conversation
    return len(TURNS) + 1


def baseline_conversation() -> int:
    state: dict[str, object] = {"slots": {}, "effects": []}
    for reading in (Reading(), *TURNS):
        slots = dict(state["slots"])  # type: ignore[call-overload]
        slots.update(reading.slots)
        state = {"slots": slots, "effects": [*state["effects"], reading]}  # type: ignore[misc]
    return len(TURNS) + 1


def guard_new_text() -> int:
    """The persona guard on texts it has not seen (what a person's typed text costs)."""
    for i in range(10):
        check.__wrapped__(f"Perfect! Dana will call you at {i} PM. Talk soon!", "Dana", "Whitfield")
    return 10


def per_turn(fn: Callable[[], int], seconds: float = 2.0) -> float:
    """Seconds per turn, over whole conversations run for about ``seconds``."""
    fn()  # warm caches: the machine, compiled templates
    turns, start = 0, time.process_time()  # CPU time: per core, whatever else runs
    while (elapsed := time.process_time() - start) < seconds:
        turns += fn()
    return elapsed / turns


def main() -> None:
    """Print µs per turn for the engine and the baseline, and their ratio."""
    engine, base = per_turn(engine_conversation), per_turn(baseline_conversation)
    print(f"turn (decide, reading given): {engine * 1e6:8.1f} µs")
    print(f"baseline (copy state, set a slot): {base * 1e6:8.1f} µs")
    print(f"ratio engine / baseline: {engine / base:8.1f}x")
    guard = per_turn(guard_new_text, seconds=1.0)
    print(f"persona guard on a text not seen before (uncached): {guard * 1e6:8.1f} µs")


if __name__ == "__main__":
    main()
