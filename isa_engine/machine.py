"""The status machine: one ``transitions.Machine`` per script version, shared by every lead.

The machine holds no model (``model=None``); a turn drives one conversation
with ``machine.events[name].trigger(conversation)``, so a thousand leads cost
one machine, not a thousand (pytransitions issues #434, #379). States are the
statuses of DESIGN.md; the step a conversation waits on is kept beside them.

    active ──cool──▶ cold ──reply──▶ active
    active, cold ──engage──▶ engaged
    active, cold, engaged, appointment ──book──▶ appointment
    any but dead ──take_over──▶ agent ──hand_back──▶ where it was (cold → active)
    any but dead ──kill──▶ dead ──revive (START only)──▶ active
"""

from __future__ import annotations

from functools import cache

from transitions import Machine, State

from isa_engine.model import Status

LIVE = [s.value for s in Status if s is not Status.DEAD]

TRANSITIONS: list[dict[str, object]] = [
    {"trigger": "cool", "source": Status.ACTIVE.value, "dest": Status.COLD.value},
    {"trigger": "reply", "source": Status.COLD.value, "dest": Status.ACTIVE.value},
    {
        "trigger": "engage",
        "source": [Status.ACTIVE.value, Status.COLD.value],
        "dest": Status.ENGAGED.value,
    },
    {
        "trigger": "book",
        "source": [
            s.value for s in (Status.ACTIVE, Status.COLD, Status.ENGAGED, Status.APPOINTMENT)
        ],
        "dest": Status.APPOINTMENT.value,
    },
    {
        "trigger": "take_over",
        "source": [s for s in LIVE if s != Status.AGENT.value],
        "dest": Status.AGENT.value,
        "before": "remember_status",
    },
    {
        "trigger": "hand_back",
        "source": Status.AGENT.value,
        "dest": Status.APPOINTMENT.value,
        "conditions": "was_appointment",
    },
    {
        "trigger": "hand_back",
        "source": Status.AGENT.value,
        "dest": Status.ENGAGED.value,
        "conditions": "was_engaged",
    },
    {"trigger": "hand_back", "source": Status.AGENT.value, "dest": Status.ACTIVE.value},
    {"trigger": "kill", "source": LIVE, "dest": Status.DEAD.value},
    {"trigger": "revive", "source": Status.DEAD.value, "dest": Status.ACTIVE.value},
]


@cache
def machine_for(script_key: str) -> Machine:
    """The one machine for a script version, built on first use and kept."""
    states = [
        State(Status.DEAD.value, on_enter=["on_dead"]),
        *(State(s) for s in LIVE),
    ]
    return Machine(
        model=None,
        states=states,
        transitions=TRANSITIONS,
        initial=Status.ACTIVE.value,
        auto_transitions=False,
        name=script_key,
    )


def can(script_key: str, trigger: str, state: str) -> bool:
    """Whether ``trigger`` may fire from ``state`` (conditions aside)."""
    event = machine_for(script_key).events.get(trigger)
    return event is not None and state in event.transitions
