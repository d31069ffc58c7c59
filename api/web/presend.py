"""The checks a typed text passes in the composer before it is sent, each saying why.

The send itself checks again (the core runs the persona guard on every
outbound text, and the outbox holds a text back in quiet hours); this is so
the agent sees the reasons while typing. The persona guard refuses; quiet
hours only defer (the outbox queues the text, never drops it), so they are a
notice, not a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from adapters.storage.orm import Contact
from api.container import Container
from api.services.outbox import recent_sends, recipient_of, rules_of
from isa_engine.model import Speaker
from isa_engine.policy.quiet_hours import NeverAllowed, earliest_send
from isa_engine.policy.zones import lead_now, lead_zone
from isa_engine.replies import RULES_FOR, guard_for


@dataclass(frozen=True, slots=True)
class Check:
    """The composer's verdict: ``ok``, or the reasons; when the text will go if not now
    (``notice``); the lead's own clock; and which rules bind the one typing (``applies``)."""

    ok: bool
    reasons: tuple[str, ...]
    lead_time: str
    notice: str | None = None
    applies: str = RULES_FOR[Speaker.ASSISTANT]


def quiet_hours(container: Container, contact_id: int, now: datetime) -> str | None:
    """When and why a text typed now would wait (quiet hours, caps), in the lead's own
    time; None when it may go at once."""
    rules = rules_of(container)
    lookback = max((cap.per for cap in rules.caps), default=timedelta(0))
    with container.uow(read_only=True) as uow:
        contact = uow.session.get(Contact, contact_id)
        if contact is None:
            return None
        recipient = recipient_of(uow, contact)
        sent = [s for s in recent_sends(uow, contact_id, now - lookback) if s is not None]
        phone = contact.phone
    try:
        clearance = earliest_send(rules, recipient, now, sent)
    except NeverAllowed as exc:
        return f"Will wait: {exc}"
    if not clearance.deferred:
        return None
    zone = lead_zone(phone)
    at = clearance.at.astimezone(zone)
    return f"Will go {at:%a %H:%M} in {zone.key}: " + "; ".join(clearance.reasons)


def check(
    text: str,
    *,
    phone: str,
    agent_first: str,
    agent_last: str | None,
    now: datetime,
    quiet: str | None = None,
    speaker: Speaker = Speaker.ASSISTANT,
) -> Check:
    """The rules that bind ``speaker`` on ``text`` for this lead and agent (the persona guard
    for the assistant, Fair Housing for all), with ``quiet`` (from ``quiet_hours``) as a notice."""
    reasons = guard_for(text, agent_first, agent_last, speaker) if text.strip() else ()
    local = lead_now(now, phone)
    return Check(not reasons, reasons, local.strftime("%a %H:%M %Z"), quiet, RULES_FOR[speaker])
