"""The ISA queue: pending suggestions, oldest-waiting first, and the decisions on them.

Escalation is computed when the queue is read: a suggestion still pending
``escalate_after_minutes`` after it was made is shown ``escalated`` (and
listed first among equals by age anyway); no writer has to run for it, and
the row's state stays ``pending`` until a person decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from adapters.storage import audit
from adapters.storage.orm import Contact, ConversationRow, Message, Suggestion, User
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork
from adapters.storage.vocab import Direction, SuggestionState
from api.container import Container
from api.services.effects import TurnScope
from api.services.locking import Locked, ensure_alive, lock, policy_of, run
from api.services.turns import TurnResult
from isa_engine.errors import NotAllowed
from isa_engine.events import Approve, Reject
from isa_engine.model import SuggestText


class NotFound(LookupError):
    """No such suggestion (404)."""


@dataclass(frozen=True, slots=True)
class QueuePage:
    """One page of the queue and how many are waiting in all."""

    items: list[dict[str, Any]]
    total: int
    escalated: int


def list_pending(
    container: Container,
    uow: SqlAlchemyUnitOfWork,
    *,
    limit: int,
    offset: int,
    escalated_only: bool = False,
) -> QueuePage:
    """Pending suggestions, oldest first, each with what an ISA needs to decide it."""
    now = container.clock()
    cutoff = now - timedelta(minutes=container.settings.escalate_after_minutes)
    where = [Suggestion.state == SuggestionState.PENDING]
    if escalated_only:
        where.append(Suggestion.created_at <= cutoff)
    base = (
        select(Suggestion, ConversationRow, Contact)
        .join(ConversationRow, ConversationRow.id == Suggestion.conversation_id)
        .join(Contact, Contact.id == ConversationRow.contact_id)
        .where(*where)
    )
    rows = uow.session.execute(
        base.order_by(Suggestion.created_at, Suggestion.id).limit(limit).offset(offset)
    ).all()
    total = uow.session.scalar(select(func.count()).select_from(Suggestion).where(*where)) or 0
    late = (
        uow.session.scalar(
            select(func.count())
            .select_from(Suggestion)
            .where(Suggestion.state == SuggestionState.PENDING, Suggestion.created_at <= cutoff)
        )
        or 0
    )
    items = [_item(uow, s, conv, contact, now, cutoff) for s, conv, contact in rows]
    return QueuePage(items, int(total), int(late))


def _item(
    uow: SqlAlchemyUnitOfWork,
    s: Suggestion,
    conv: ConversationRow,
    contact: Contact,
    now: datetime,
    cutoff: datetime,
) -> dict[str, Any]:
    cause = uow.session.execute(
        select(Message.body, Message.created_at)
        .where(
            Message.contact_id == contact.id,
            Message.direction == Direction.IN,
            Message.created_at <= s.created_at,
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    ).first()
    return {
        "id": s.id,
        "contact_id": contact.id,
        "contact_first_name": contact.first_name or conv.contact_name,
        "agent_first_name": conv.agent_name,
        "script": f"{conv.script_name}@{conv.script_version}",
        "status": conv.status,
        "text": s.text,
        "asks": s.asks,
        "why": s.why,
        "step": s.step,
        "inbound": cause.body if cause is not None else None,
        "slots": conv.slots,
        "created_at": s.created_at,
        "waiting_seconds": int((now - s.created_at).total_seconds()),
        "escalated": s.created_at <= cutoff,
    }


def approve(
    container: Container, suggestion_id: int, user: User, *, text: str | None = None
) -> TurnResult:
    """Send a suggestion as is (``text`` None) or edited; dead or stale: 409; guard refused: 422."""
    now = container.clock()
    with container.uow() as uow:
        locked, s = _locked_pending(container, uow, suggestion_id, alive=True)
        suggestion = SuggestText(s.key, s.text, s.asks, s.why, s.step)
        scope = TurnScope(
            uow,
            locked.contact,
            locked.row,
            now,
            f"suggestion:{s.id}",
            policy_of(container),
            actor_id=user.id,
            approved_by_id=user.id,
            suggestion_row=s,
        )
        applied = run(locked, Approve(suggestion, by=_who(user), text=text), scope)
        edited = text is not None and text != s.text
        s.state = SuggestionState.EDITED if edited else SuggestionState.APPROVED
        s.decided_by_id, s.decided_at = user.id, now
        details: dict[str, Any] = {"contact_id": locked.contact.id}
        if edited:
            details.update(original=s.text, sent=text)
        audit.record(
            uow.session,
            actor_id=user.id,
            action=f"suggestion.{s.state.value}",
            subject=("suggestion", s.id),
            at=now,
            **details,
        )
        uow.commit()
    return TurnResult.of(locked.contact.id, applied)


def reject(container: Container, suggestion_id: int, user: User, reason: str) -> TurnResult:
    """Reject a suggestion; the reason is kept and shown with the conversation. The lead is
    still owed a reply: the queue asks for one to be written ("needs a reply"). Rejecting
    that request says no reply is owed."""
    now = container.clock()
    with container.uow() as uow:
        locked, s = _locked_pending(container, uow, suggestion_id)
        suggestion = SuggestText(s.key, s.text, s.asks, s.why, s.step)
        scope = TurnScope(
            uow, locked.contact, locked.row, now, f"reject:{s.id}", policy_of(container)
        )
        applied = run(locked, Reject(suggestion, by=_who(user), reason=reason), scope)
        s.state, s.reject_reason = SuggestionState.REJECTED, reason
        s.decided_by_id, s.decided_at = user.id, now
        audit.record(
            uow.session,
            actor_id=user.id,
            action="suggestion.rejected",
            subject=("suggestion", s.id),
            at=now,
            reason=reason,
            contact_id=locked.contact.id,
        )
        uow.commit()
    return TurnResult.of(locked.contact.id, applied)


def _locked_pending(
    container: Container, uow: SqlAlchemyUnitOfWork, suggestion_id: int, *, alive: bool = False
) -> tuple[Locked, Suggestion]:
    """The suggestion, pending, with its conversation locked; ``alive``: refuse the dead first,
    so an approval for a lead who died meanwhile says so (their suggestions expired with them)."""
    found = uow.session.execute(
        select(Suggestion.id, ConversationRow.contact_id)
        .join(ConversationRow, ConversationRow.id == Suggestion.conversation_id)
        .where(Suggestion.id == suggestion_id)
    ).first()
    if found is None:
        raise NotFound(f"no suggestion {suggestion_id}")
    locked = lock(container, uow, found.contact_id)
    s = uow.session.scalar(  # read again under the lock: another ISA may have decided it
        select(Suggestion)
        .where(Suggestion.id == suggestion_id)
        .execution_options(populate_existing=True)
    )
    if locked is None or s is None:  # pragma: no cover - rows are never deleted
        raise NotFound(f"no suggestion {suggestion_id}")
    if alive:
        ensure_alive(locked)
    if s.state is not SuggestionState.PENDING:
        who = f" by user {s.decided_by_id}" if s.decided_by_id else ""
        raise NotAllowed(f"suggestion {s.id} was {s.state.value} already{who}")
    return locked, s


def _who(user: User) -> str:
    return (user.name or user.email)[:100]
