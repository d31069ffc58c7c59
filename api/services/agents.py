"""What agents (and ISAs) do with a conversation: look, take over, hand back, text, drip, notes.

Routes check who may see the lead (``api.access``) before calling these; every
change is one transaction with its audit entry.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from sqlalchemy import func, select

from adapters.storage import audit
from adapters.storage.orm import (
    AuditEntry,
    Contact,
    ConversationRow,
    Enrollment,
    Message,
    Note,
    OutcomeRow,
    Suggestion,
    User,
)
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork
from adapters.storage.vocab import EnrollmentState, Role
from api.container import Container
from api.services import drip as drip_service
from api.services.effects import ALERT, TurnScope
from api.services.locking import Locked, ensure_alive, lock, policy_of, run
from api.services.turns import TurnResult
from isa_engine.errors import ContactDead, NotAllowed
from isa_engine.events import AgentText, Event, HandBack, TakeOver
from isa_engine.model import Speaker, Status
from isa_engine.replies import DEAD_TEXT

DRIP_JOB = drip_service.DRIP


def view(uow: SqlAlchemyUnitOfWork, contact: Contact) -> dict[str, Any]:
    """The lead's conversation as an agent reads it: status, slots with where they came from,
    the timeline of texts, outcomes, alerts, notes, suggestions and drip enrolments."""
    session = uow.session
    row = session.scalar(
        select(ConversationRow)
        .where(ConversationRow.contact_id == contact.id)
        .order_by(ConversationRow.id.desc())
        .limit(1)
    )
    messages = session.scalars(
        select(Message)
        .where(Message.contact_id == contact.id)
        .order_by(func.coalesce(Message.sent_at, Message.created_at), Message.id)
    )
    conv_ids = select(ConversationRow.id).where(ConversationRow.contact_id == contact.id)
    outcomes = session.scalars(
        select(OutcomeRow)
        .where(OutcomeRow.conversation_id.in_(conv_ids))
        .order_by(OutcomeRow.created_at, OutcomeRow.id)
    )
    suggestions = session.scalars(
        select(Suggestion)
        .where(Suggestion.conversation_id.in_(conv_ids))
        .order_by(Suggestion.created_at, Suggestion.id)
    )
    notes = session.scalars(
        select(Note).where(Note.contact_id == contact.id).order_by(Note.created_at, Note.id)
    )
    return {
        "contact": {
            "id": contact.id,
            "phone": contact.phone,
            "first_name": contact.first_name,
            "dead": contact.dead,
            "dead_reason": contact.dead_reason,
        },
        "conversation": _conversation(row),
        "messages": [_message(m) for m in messages],
        "outcomes": [outcome_out(o) for o in outcomes],
        "suggestions": [
            {
                "id": s.id,
                "text": s.text,
                "asks": s.asks,
                "why": s.why,
                "state": s.state,
                "reject_reason": s.reject_reason,
                "decided_by_id": s.decided_by_id,
                "created_at": s.created_at,
                "decided_at": s.decided_at,
            }
            for s in suggestions
        ],
        "alerts": alerts(uow, contact.id),
        "notes": [
            {"id": n.id, "body": n.body, "author_id": n.author_id, "created_at": n.created_at}
            for n in notes
        ],
        "enrollments": [
            {
                "id": e.id,
                "campaign_id": e.campaign_id,
                "state": e.state,
                "step": e.step,
                "stopped_at": e.stopped_at,
            }
            for e in session.scalars(select(Enrollment).where(Enrollment.contact_id == contact.id))
        ],
    }


def _conversation(row: ConversationRow | None) -> dict[str, Any] | None:
    if row is None:
        return None
    sources = row.sources or {}
    return {
        "id": row.id,
        "script": f"{row.script_name}@{row.script_version}",
        "language": row.language,
        "switched_from": row.switched_from,
        "status": row.status,
        "awaiting": row.awaiting,
        "agent_id": row.agent_id,
        "turns": row.turn,
        "slots": {
            k: {
                "value": v,
                "turn": sources.get(k, {}).get("turn"),
                "text": sources.get(k, {}).get("text"),
            }
            for k, v in row.slots.items()
        },
    }


def _message(m: Message) -> dict[str, Any]:
    return {
        "id": m.id,
        "direction": m.direction,
        "body": m.body,
        "status": m.delivery_status,
        "sent_by": m.sent_by,
        "approved_by_id": m.approved_by_id,
        "typed_by_id": m.typed_by_id,
        "error_code": m.error_code,
        "at": m.sent_at or m.created_at,  # when it reached the phone: a held text later
        "queued_at": m.created_at,
    }


def outcome_out(o: OutcomeRow) -> dict[str, Any]:
    """An outcome as the API shows it."""
    return {
        "id": o.id,
        "conversation_id": o.conversation_id,
        "kind": o.kind,
        "slots": o.slots,
        "reason": o.reason,
        "agent_id": o.agent_id,
        "created_at": o.created_at,
    }


def alerts(uow: SqlAlchemyUnitOfWork, contact_id: int) -> list[dict[str, Any]]:
    """Alerts to the agent about this lead (kept as audit entries), oldest first."""
    rows = uow.session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.action == ALERT,
            AuditEntry.subject_type == "contact",
            AuditEntry.subject_id == str(contact_id),
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return [
        {"reason": a.details.get("reason"), "text": a.details.get("text"), "at": a.at} for a in rows
    ]


def act(
    container: Container,
    contact_id: int,
    user: User,
    action: Literal["takeover", "handback", "message"],
    text: str | None = None,
    idempotency_key: str | None = None,
) -> TurnResult:
    """Take over, hand back, or send a typed text (persona guard; never to the dead)."""
    now = container.clock()
    with container.uow() as uow:
        locked = _locked(container, uow, contact_id)
        who = (user.name or user.email)[:100]
        event: Event
        if action == "takeover":
            event = TakeOver(by=who)
        elif action == "handback":
            event = HandBack(by=who)
        else:
            ensure_alive(locked)
            event = AgentText(text=text or "", by=who, speaker=speaker_of(user, locked))
        cause = f"typed:{idempotency_key or uuid.uuid4().hex}"
        scope = TurnScope(
            uow,
            locked.contact,
            locked.row,
            now,
            cause,
            policy_of(container),
            actor_id=user.id,
            typed_by_id=user.id if action == "message" else None,
        )
        applied = run(locked, event, scope)
        audit.record(
            uow.session,
            actor_id=user.id,
            action=f"conversation.{action}",
            subject=("contact", contact_id),
            at=now,
            **({"text": text} if text is not None else {}),
        )
        uow.commit()
    return TurnResult.of(contact_id, applied)


def drip(container: Container, contact_id: int, user: User, *, stop: bool) -> list[int]:
    """Stop or restart every drip enrolment of the lead; the ids changed."""
    now = container.clock()
    with container.uow() as uow:
        locked = lock(container, uow, contact_id)  # a turn may not run meanwhile
        contact = uow.contacts.get(contact_id)
        if not stop and contact is not None and contact.dead:
            raise ContactDead(DEAD_TEXT)  # a restarted drip would text the dead
        if not stop and not drip_service.has_consent(uow, contact_id):
            raise NotAllowed(drip_service.NO_CONSENT)  # consent may be gone since it stopped
        frm, to = (
            (EnrollmentState.ACTIVE, EnrollmentState.STOPPED)
            if stop
            else (EnrollmentState.STOPPED, EnrollmentState.ACTIVE)
        )
        changed = []
        for e in uow.session.scalars(
            select(Enrollment).where(Enrollment.contact_id == contact_id, Enrollment.state == frm)
        ):
            e.state = to
            e.stopped_at, e.stopped_by_id = (now, user.id) if stop else (None, None)
            changed.append(e.id)
            if not stop and contact is not None:  # resume at the step it had reached
                drip_service.resume(container, uow, e, contact, locked.row.id if locked else None)
        if stop and locked is not None:
            uow.jobs.cancel(locked.row.id, (DRIP_JOB,))
        audit.record(
            uow.session,
            actor_id=user.id,
            action="drip.stop" if stop else "drip.restart",
            subject=("contact", contact_id),
            at=now,
            enrollments=changed,
        )
        uow.commit()
    return changed


def campaign(container: Container, contact_id: int, user: User, name: str, *, add: bool) -> str:
    """Add the lead to a long-term campaign, or take it out of one; what was done."""
    now = container.clock()
    with container.uow() as uow:
        locked = lock(container, uow, contact_id)
        contact = uow.contacts.get(contact_id)
        if contact is None:  # pragma: no cover - the route checked it is visible
            raise LookupError(f"no contact {contact_id}")
        stored = drip_service.campaign_row(uow, drip_service.campaigns_of(container).get(name), now)
        enrolment = uow.session.scalar(
            select(Enrollment).where(
                Enrollment.contact_id == contact_id, Enrollment.campaign_id == stored.id
            )
        )
        if add:
            if contact.dead:
                raise ContactDead(DEAD_TEXT)
            if enrolment is not None and enrolment.stopped_by_id is not None:
                enrolment.stopped_by_id = None  # a person adds it back: enrol afresh
            done = drip_service.enrol(
                container, uow, contact, locked.row if locked else None, name, now, why="agent"
            )
            if done is None:
                raise NotAllowed(
                    f"{name} refused: a drip needs a consent record and a live contact"
                )
            said = f"enrolled in {name}"
        else:
            if enrolment is None or enrolment.state is not EnrollmentState.ACTIVE:
                raise NotAllowed(f"the lead is not in {name}")
            enrolment.state, enrolment.stopped_at, enrolment.stopped_by_id = (
                EnrollmentState.STOPPED,
                now,
                user.id,
            )
            said = f"removed from {name}"  # its pending step finds the enrolment stopped
        audit.record(
            uow.session,
            actor_id=user.id,
            action="campaign.add" if add else "campaign.remove",
            subject=("contact", contact_id),
            at=now,
            campaign=name,
        )
        uow.commit()
    return said


def add_note(container: Container, contact_id: int, user: User, body: str) -> int:
    """A note on the lead; its id."""
    now = container.clock()
    with container.uow() as uow:
        note = Note(contact_id=contact_id, author_id=user.id, body=body, created_at=now)
        uow.session.add(note)
        uow.session.flush()
        audit.record(
            uow.session,
            actor_id=user.id,
            action="note.add",
            subject=("contact", contact_id),
            at=now,
            note_id=note.id,
        )
        uow.commit()
        return note.id


def _locked(container: Container, uow: SqlAlchemyUnitOfWork, contact_id: int) -> Locked:
    locked = lock(container, uow, contact_id)
    if locked is None:
        raise NotAllowed(f"lead {contact_id} has no conversation yet")
    return locked


def speaker_of(user: User, locked: Locked) -> Speaker:
    """Who a text typed by ``user`` on this conversation speaks for (``speaker_for``)."""
    return speaker_for(user, locked.conversation.status)


def speaker_for(user: User, status: Status | str | None) -> Speaker:
    """An agent texting a conversation they took over speaks for themself (licensed); anyone
    else types in the assistant's name, and the persona guard applies."""
    taken = status is not None and Status(status) is Status.AGENT
    return Speaker.AGENT if taken and user.role is Role.AGENT else Speaker.ASSISTANT
