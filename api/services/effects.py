"""Carry out a turn's effects as rows, inside the turn's own transaction (the outbox).

The core decides and returns effects; this module writes them where the rest of
the system finds them: suggestions for the ISA queue, outbound messages for
the sender, outcomes and alerts for the agent, jobs for the worker, and the
contact's dead flag. Nothing here commits: the caller's unit of work does, so a
turn is stored whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update

from adapters.storage import audit
from adapters.storage.orm import Contact, ConversationRow, Message, OutcomeRow, Suggestion
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork
from adapters.storage.vocab import DeliveryStatus, Direction, SuggestionState
from api.services.policy import ApprovalPolicy
from isa_engine.conversation import Conversation, Turn, approve_text
from isa_engine.model import (
    AlertAgent,
    CancelTimers,
    DropTexts,
    EmitOutcome,
    OutcomeKind,
    SendText,
    SlotValue,
    StartTimer,
    Status,
    SuggestText,
    SwitchLanguage,
)

FINAL_STEP = "final"
HELP_STEP = "help"
EXEMPT_STEPS = (FINAL_STEP, HELP_STEP)
"""Texts that go at once, at any hour, uncapped, even to the dead: the opt-out confirmation
(COMPLIANCE.md #5) and the answer to HELP (#8)."""
"""``script_step`` of the one text a dead contact may still get (COMPLIANCE.md #5)."""

ALERT = "agent.alert"
"""Audit action of an alert to the agent: the agent's alert list reads these entries."""

ALERT_MAIL = "alert"
"""Job: e-mail the agent an alert, with the lead's text (``api.services.notify``)."""
NOTIFY = "notify"
"""Job: tell the agent and the CRMs of an outcome (``api.services.notify``)."""
REMIND = "remind"
"""Job: remind the agent of an appointment (``api.services.notify``)."""
REMIND_BEFORE = timedelta(hours=1)
ENROL = "enrol"
"""Job: enrol the contact in its script's drip (payload ``{"contact_id", "why"}``)."""


@dataclass
class TurnScope:
    """Where a turn happens: the transaction, the contact, its conversation row, and why."""

    uow: SqlAlchemyUnitOfWork
    contact: Contact
    row: ConversationRow | None
    now: datetime
    cause: str  # prefix of idempotency keys: "in:<MessageSid>", "begin:<id>", "agent:<uuid>"
    policy: ApprovalPolicy
    actor_id: int | None = None  # who acted (None: the lead or the system)
    opening: bool = False  # the turn that sends the first text to a new lead
    approved_by_id: int | None = None
    typed_by_id: int | None = None
    suggestion_row: Suggestion | None = None  # the suggestion a person approved or edited


@dataclass
class Applied:
    """What a turn wrote: ids to hand to the sender, and what the agent was told."""

    conversation_id: int | None = None
    status: str | None = None
    outbound_ids: list[int] = field(default_factory=list)
    suggestion_ids: list[int] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)


def apply_turn(scope: TurnScope, turn: Turn, *, agent_id: int | None = None) -> Applied:
    """Save the conversation and write every effect in order; the caller commits."""
    before = Status(scope.row.status).value if scope.row is not None else None
    uow, conv = scope.uow, turn.conversation
    row = uow.conversations.save(conv, contact_id=scope.contact.id, at=scope.now, agent_id=agent_id)
    scope.row = row
    done = Applied(conversation_id=row.id, status=conv.state)
    for effect in turn.effects:
        if isinstance(effect, SuggestText):
            _suggest(scope, conv, effect, done)
        elif isinstance(effect, SendText):
            _outbound(scope, conv, effect, done, step=_step_of(scope, conv, effect))
        elif isinstance(effect, EmitOutcome):
            _outcome(scope, effect, done)
        elif isinstance(effect, AlertAgent):
            _alert(scope, effect, done)
        elif isinstance(effect, StartTimer):
            _timer(scope, effect)
        elif isinstance(effect, CancelTimers):
            _cancel(scope, effect, done)
        elif isinstance(effect, DropTexts):
            _drop(scope, effect)
        elif isinstance(effect, SwitchLanguage):
            _switched(scope, effect)
    _sync_dead_flag(scope, before, conv, done)
    _learned(scope, conv)
    return done


LEARNED = "contact.learned"
"""Audit action of a lead's detail the conversation learned (its e-mail) written to the lead."""


def _learned(scope: TurnScope, conv: Conversation) -> None:
    """What the lead texted us about themselves updates the lead: one e-mail everywhere."""
    email = conv.slots.get("email")
    if not isinstance(email, str) or not email.strip():
        return
    email = email.strip().lower()[:254]
    if scope.contact.email == email:
        return
    audit.record(
        scope.uow.session,
        actor_id=None,
        action=LEARNED,
        subject=("contact", scope.contact.id),
        at=scope.now,
        field="email",
        before=scope.contact.email,
        after=email,
    )
    scope.contact.email = email


LANGUAGE = "conversation.language"
"""Audit action of a language switch: the console's history and thread show it."""


def _switched(scope: TurnScope, effect: SwitchLanguage) -> None:
    """The switch, recorded: the conversation row already carries the new script."""
    audit.record(
        scope.uow.session,
        actor_id=scope.actor_id,
        action=LANGUAGE,
        subject=("contact", scope.contact.id),
        at=scope.now,
        reason=effect.reason,
        language=effect.language,
        to_script=effect.to_script,
        from_script=effect.from_script,
    )


def kill_quietly(conv: Conversation) -> Turn:
    """A turn that makes ``conv`` dead with no text (the contact died elsewhere, e.g. 21610)."""
    twin = conv.copy()
    if twin.status is not Status.DEAD:
        twin.fire("kill")  # its on_dead callback cancels queued texts and timers
    twin.awaiting, twin.final_text_sent = None, True
    return Turn(twin, tuple(twin.effects))


def slots_json(slots: dict[str, SlotValue] | Any) -> dict[str, Any]:
    """Slots as JSON values (places as lists)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dict(slots).items()}


def _step_of(scope: TurnScope, conv: Conversation, send: SendText) -> str | None:
    if send.help:
        return HELP_STEP
    if send.suggestion_id is None and send.by == "auto" and conv.status is Status.DEAD:
        return FINAL_STEP  # the opt-out confirmation: may go although the contact is dead
    if scope.suggestion_row is not None:
        return scope.suggestion_row.step
    return None


def _suggest(scope: TurnScope, conv: Conversation, s: SuggestText, done: Applied) -> None:
    assert scope.row is not None  # apply_turn saved it
    auto = scope.policy.approves(s, opening=scope.opening)
    row = Suggestion(
        conversation_id=scope.row.id,
        key=s.id,
        text=s.text,
        asks=s.asks,
        why=s.why,
        step=s.step,
        state=SuggestionState.APPROVED if auto else SuggestionState.PENDING,
        decided_at=scope.now if auto else None,
        created_at=scope.now,
    )
    scope.uow.session.add(row)
    scope.uow.session.flush()
    done.suggestion_ids.append(row.id)
    if auto:  # the same checks as a person's approval: never to the dead, past the guard
        send = approve_text(conv, s.text, s.asks, s.id, "auto")
        _outbound(scope, conv, send, done, step=s.step, suggestion=row)


def _outbound(
    scope: TurnScope,
    conv: Conversation,
    send: SendText,
    done: Applied,
    *,
    step: str | None,
    suggestion: Suggestion | None = None,
) -> None:
    assert scope.row is not None
    suggestion = suggestion or scope.suggestion_row
    key = f"suggestion:{suggestion.id}" if suggestion else f"{scope.cause}:{len(done.outbound_ids)}"
    new_id = scope.uow.messages.add_outbound(
        key,
        contact_id=scope.contact.id,
        body=send.text,
        at=scope.now,
        conversation_id=scope.row.id,
        sent_by=send.by[:100],
        text_key=send.key or None,
        approved_by_id=scope.approved_by_id if suggestion else None,
        typed_by_id=scope.typed_by_id,
        suggestion_id=suggestion.id if suggestion else None,
        script_step=step,
    )
    if new_id is not None:  # None: this key was queued already (a retried approval)
        done.outbound_ids.append(new_id)


def _outcome(scope: TurnScope, effect: EmitOutcome, done: Applied) -> None:
    assert scope.row is not None
    row = OutcomeRow(
        conversation_id=scope.row.id,
        kind=effect.kind,
        slots=slots_json(effect.slots),
        reason=effect.reason,
        agent_id=scope.row.agent_id,
        created_at=scope.now,
    )
    scope.uow.session.add(row)
    scope.uow.session.flush()
    # the agent's e-mail and the CRMs; not the conversation's, so a STOP after it cancels nothing
    scope.uow.jobs.add(NOTIFY, scope.now, {"outcome_id": row.id}, at=scope.now)
    _remind(scope, effect, row.id)
    done.outcomes.append(effect.kind.value)
    if effect.kind in (OutcomeKind.APPOINTMENT, OutcomeKind.ENGAGEMENT):  # it joins its drip
        payload = {"contact_id": scope.contact.id, "why": effect.kind.value}
        scope.uow.jobs.add(ENROL, scope.now, payload, at=scope.now, conversation_id=scope.row.id)


def _remind(scope: TurnScope, effect: EmitOutcome, outcome_id: int) -> None:
    """An appointment (or a new time for it) gets the agent's reminder an hour before."""
    assert scope.row is not None
    when = effect.slots.get("appointment")
    if effect.kind is OutcomeKind.UPDATE and "appointment" not in effect.slots:
        return
    if not isinstance(when, str) or effect.kind is OutcomeKind.ENGAGEMENT:
        return
    try:  # the lead's wall time, as the reader wrote it ("2026-11-24T15:00")
        at = datetime.fromisoformat(when).replace(tzinfo=scope.now.tzinfo)
    except ValueError:
        return
    scope.uow.jobs.cancel(scope.row.id, (REMIND,))  # a new time replaces the old reminder
    if at - REMIND_BEFORE > scope.now:
        scope.uow.jobs.add(
            REMIND,
            at - REMIND_BEFORE,
            {"outcome_id": outcome_id},
            at=scope.now,
            conversation_id=scope.row.id,
        )


def _alert(scope: TurnScope, effect: AlertAgent, done: Applied) -> None:
    agent_id = scope.row.agent_id if scope.row is not None else None
    audit.record(
        scope.uow.session,
        actor_id=None,
        action=ALERT,
        subject=("contact", scope.contact.id),
        at=scope.now,
        reason=effect.reason,
        text=effect.text,
        agent_id=agent_id,
    )
    if agent_id is not None:  # told now, by e-mail, with the lead's own words
        payload = {
            "contact_id": scope.contact.id,
            "agent_id": agent_id,
            "reason": effect.reason,
            "text": effect.text,
            "at": scope.now.isoformat(),
        }
        scope.uow.jobs.add(ALERT_MAIL, scope.now, payload, at=scope.now)
    done.alerts.append(effect.reason)


def _timer(scope: TurnScope, effect: StartTimer) -> None:
    """A timer replaces the conversation's pending timer of the same kind."""
    assert scope.row is not None
    scope.uow.jobs.cancel(scope.row.id, (effect.kind,))
    payload = {"contact_id": scope.contact.id, "conversation_id": scope.row.id}
    scope.uow.jobs.add(effect.kind, effect.due, payload, at=scope.now, conversation_id=scope.row.id)


def _drop(scope: TurnScope, effect: DropTexts) -> None:
    """Withdraw the core's texts not yet sent: a pending suggestion leaves the queue (its why
    kept), a queued text is cancelled (its send job then finds nothing to send)."""
    assert scope.row is not None
    session, keys = scope.uow.session, list(effect.keys)
    session.execute(
        update(Suggestion)
        .where(
            Suggestion.conversation_id == scope.row.id,
            Suggestion.key.in_(keys),
            Suggestion.state == SuggestionState.PENDING,
        )
        .values(state=SuggestionState.EXPIRED, decided_at=scope.now, reject_reason=effect.why)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Message)
        .where(
            Message.conversation_id == scope.row.id,
            Message.text_key.in_(keys),
            Message.delivery_status == DeliveryStatus.QUEUED,
        )
        .values(delivery_status=DeliveryStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )


def _cancel(scope: TurnScope, effect: CancelTimers, done: Applied) -> None:
    assert scope.row is not None
    scope.uow.jobs.cancel(scope.row.id, effect.kinds)
    if not effect.queued_texts:
        return
    # texts queued by earlier turns never go; this turn's own (the one confirmation) may
    session = scope.uow.session
    session.execute(
        update(Message)
        .where(
            Message.contact_id == scope.contact.id,
            Message.direction == Direction.OUT,
            Message.delivery_status == DeliveryStatus.QUEUED,
            Message.id.not_in(done.outbound_ids or [0]),
        )
        .values(delivery_status=DeliveryStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Suggestion)
        .where(
            Suggestion.conversation_id == scope.row.id,
            Suggestion.state == SuggestionState.PENDING,
            Suggestion.id.not_in(done.suggestion_ids or [0]),
        )
        .values(state=SuggestionState.EXPIRED, decided_at=scope.now)
        .execution_options(synchronize_session=False)
    )


def _sync_dead_flag(
    scope: TurnScope, before: str | None, conv: Conversation, done: Applied
) -> None:
    """The contact's dead flag follows the conversation: set on dying, cleared by START only."""
    contact, session = scope.contact, scope.uow.session
    if conv.status is Status.DEAD and not contact.dead:
        dying = [a.removeprefix("lead is dead: ") for a in done.alerts if a.startswith("lead is")]
        reason = dying[0] if dying else "dead"
        scope.uow.contacts.mark_dead(contact.id, reason, scope.now)
        audit.record(
            session,
            actor_id=scope.actor_id,
            action="contact.dead",
            subject=("contact", contact.id),
            at=scope.now,
            reason=reason,
        )
    elif before == Status.DEAD.value and conv.status is not Status.DEAD and contact.dead:
        revive_contact(scope.uow, contact, scope.now)


def revive_contact(uow: SqlAlchemyUnitOfWork, contact: Contact, now: datetime) -> None:
    """A recorded re-opt-in (START): the contact may be texted again; the record stays."""
    audit.record(
        uow.session,
        actor_id=None,
        action="contact.reopt_in",
        subject=("contact", contact.id),
        at=now,
        was=contact.dead_reason,
    )
    contact.dead, contact.dead_reason, contact.dead_at = False, None, None
