"""Why a text to a lead has not gone yet, in words: quiet hours or a cap, and until when.

The outbox decides when a text may go with ``earliest_send`` (and defers it,
audited as ``send.deferred``). The approval's answer, the simulated phone and
the conversation's thread ask ``earliest_send`` the same question with the same
inputs (rules, where the lead may be, what was sent lately), so what they say
is what the outbox does: "held until 09:00 tomorrow (federal and Texas quiet
hours: it is 22:30 in Texas)".

Under the dev rules (``rules/dev``: quiet hours ignored, simulated phone only)
the text goes at once and says which quiet hours it broke instead.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from adapters.storage.orm import AuditEntry, Contact, Message
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork
from adapters.storage.vocab import DeliveryStatus, Direction
from api.container import Container
from api.services.outbox import recent_sends, recipient_of, rules_of
from isa_engine.policy.quiet_hours import Clearance, NeverAllowed, earliest_send
from isa_engine.policy.recipient import Recipient
from isa_engine.policy.rules import Rules, Window
from isa_engine.policy.zones import lead_zone
from isa_engine.us_data import states as state_names


@dataclass(frozen=True, slots=True)
class Held:
    """A text that waits (``until``, aware; None when no time is allowed), and why in words;
    ``overridden``: the dev rules let it go now although quiet hours would hold it."""

    until: datetime | None
    why: str
    overridden: bool = False


def held(
    container: Container, uow: SqlAlchemyUnitOfWork, contact: Contact, now: datetime
) -> Held | None:
    """Whether a text to ``contact`` made at ``now`` waits, and why; None when it may go."""
    rules = rules_of(container)
    recipient = recipient_of(uow, contact)
    lookback = max((cap.per for cap in rules.caps), default=timedelta(0))
    sent = [s for s in recent_sends(uow, contact.id, now - lookback) if s is not None]
    try:
        real = earliest_send(rules, recipient, now, sent)
        going = earliest_send(rules.sending(), recipient, now, sent)
    except NeverAllowed as exc:
        return Held(None, f"held: {exc}")
    if not real.deferred:
        return None
    words = describe(rules, recipient, contact.phone, now, real)
    if rules.override is not None and not going.deferred:
        return Held(
            None,
            f"sent at once: the dev rules ({rules.override}) ignore quiet hours; "
            f"a real lead's text would be {words}",
            overridden=True,
        )
    return Held(going.at, describe(rules, recipient, contact.phone, now, going))


def describe(
    rules: Rules, recipient: Recipient, phone: str, now: datetime, clearance: Clearance
) -> str:
    """'held until 09:00 tomorrow (federal and Texas quiet hours: it is 22:30 in Texas)'."""
    zone = lead_zone(phone)
    local_now, until = now.astimezone(zone), clearance.at.astimezone(zone)
    days = (until.date() - local_now.date()).days
    day = "" if days == 0 else " tomorrow" if days == 1 else f" {until:%a %b %-d}"
    quiet = _quiet(rules, recipient, now)
    caps = [r for r in clearance.reasons if r.startswith("cap:")]
    place = _place(recipient) or zone.key
    why = [f"{quiet} quiet hours: it is {local_now:%H:%M} in {place}"] if quiet else []
    why += caps
    return f"held until {until:%H:%M}{day} ({'; '.join(why) or 'quiet hours'})"


def _quiet(rules: Rules, recipient: Recipient, now: datetime) -> str:
    """The windows closed now for this lead: 'federal', 'federal and Texas'."""
    names = [
        _window_name(w, recipient)
        for w in rules.windows
        if w.applies(recipient.states) and _closed(w, recipient, now)
    ]
    return " and ".join(dict.fromkeys(names))


def _closed(window: Window, recipient: Recipient, now: datetime) -> bool:
    for zone in recipient.zones:
        local = now.astimezone(zone)
        hours = window.week[local.weekday()]
        minute = local.hour * 60 + local.minute
        if hours is None or not hours.start <= minute < hours.end:
            return True
    return False


def _window_name(window: Window, recipient: Recipient) -> str:
    if window.states is None:
        return window.id  # "federal"
    names = dict(state_names())
    bound = sorted(window.states & recipient.states) or sorted(window.states)
    return "/".join(names.get(code, code) for code in bound)


def _place(recipient: Recipient) -> str:
    """The lead's state(s) by name, when a few are known."""
    if not recipient.states or len(recipient.states) > 3:
        return ""
    names = dict(state_names())
    return " or ".join(names.get(code, code) for code in sorted(recipient.states))


def held_texts(
    container: Container, uow: SqlAlchemyUnitOfWork, contact: Contact, now: datetime
) -> dict[int, str]:
    """The contact's texts still queued, by id, each with why it has not gone."""
    queued = list(
        uow.session.scalars(
            select(Message.id).where(
                Message.contact_id == contact.id,
                Message.direction == Direction.OUT,
                Message.delivery_status == DeliveryStatus.QUEUED,
            )
        )
    )
    if not queued:
        return {}
    wait = held(container, uow, contact, now)
    why = wait.why if wait is not None else "queued: it goes in a moment"
    return dict.fromkeys(queued, why)


def notes_for(
    container: Container, contact_id: int, outbound_ids: Collection[int], now: datetime
) -> str | None:
    """Why the texts an action just queued have not gone (None when they go at once)."""
    if not outbound_ids:
        return None
    with container.uow(read_only=True) as uow:
        contact = uow.session.get(Contact, contact_id)
        if contact is None:
            return None
        wait = held(container, uow, contact, now)
    return wait.why if wait is not None else None


def still_held(container: Container, contact_id: int, now: datetime) -> str | None:
    """Why the contact's queued texts wait, when some do after a send was tried."""
    with container.uow(read_only=True) as uow:
        contact = uow.session.get(Contact, contact_id)
        if contact is None:
            return None
        waiting = held_texts(container, uow, contact, now)
    return next(iter(waiting.values()), None)


def overridden(
    uow: SqlAlchemyUnitOfWork, message_ids: Collection[int], phone: str
) -> dict[int, str]:
    """The texts the dev rules let go in the lead's quiet hours (``send.override``), by id,
    each with when a real lead's text would have gone, in the lead's time."""
    if not message_ids:
        return {}
    rows = uow.session.execute(
        select(AuditEntry.subject_id, AuditEntry.details).where(
            AuditEntry.action == "send.override",
            AuditEntry.subject_type == "message",
            AuditEntry.subject_id.in_([str(i) for i in message_ids]),
        )
    )
    zone = lead_zone(phone)
    out: dict[int, str] = {}
    for subject, details in rows:
        until = datetime.fromisoformat(str((details or {}).get("would_wait_until")))
        out[int(subject)] = (
            "sent in the lead's quiet hours under the dev rules: a real lead's text would "
            f"have waited until {until.astimezone(zone):%a %H:%M}"
        )
    return out
