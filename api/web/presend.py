"""The checks a typed text passes in the composer before it is sent, each saying why it refuses.

The send itself checks again (the core runs the persona guard on every
outbound text); this is so the agent sees the reasons while typing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from isa_engine import persona
from isa_engine.policy.zones import lead_now


@dataclass(frozen=True, slots=True)
class Check:
    """The composer's verdict: ``ok``, or the reasons, and the lead's own clock."""

    ok: bool
    reasons: tuple[str, ...]
    lead_time: str


def quiet_hours(phone: str, now: datetime) -> str | None:
    """Why a text may not go now because of the lead's quiet hours, or None.

    HOOK: quiet hours are being written in the core (``isa_engine.policy``) by
    another person. When they land, call them here with the lead's local time
    (``lead_now(now, phone)``) and return their reason; the composer already
    shows whatever this returns and refuses to send.
    """
    del phone, now
    return None


def check(
    text: str, *, phone: str, agent_first: str, agent_last: str | None, now: datetime
) -> Check:
    """The persona guard and the quiet-hours hook on ``text`` for this lead and agent."""
    reasons = list(persona.check(text, agent_first, agent_last).reasons) if text.strip() else []
    quiet = quiet_hours(phone, now)
    if quiet:
        reasons.append(quiet)
    local = lead_now(now, phone)
    return Check(not reasons, tuple(reasons), local.strftime("%a %H:%M %Z"))
