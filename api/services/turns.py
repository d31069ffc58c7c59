"""The conversation use cases: start one, and take a lead's text. Each is one transaction.

A turn is always: lock the contact's conversation (``get_for_update``), load
it, ``decide``, save it and write its effects (``effects.apply_turn``), commit.
``receive_text`` stores the inbound text before anything else, keyed by
MessageSid, so a retried webhook is absorbed and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from adapters.storage import audit
from adapters.storage.orm import Contact, Message, User
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork
from adapters.storage.vocab import DeliveryStatus
from api.container import Container
from api.services import drip
from api.services.effects import Applied, TurnScope, apply_turn, kill_quietly, revive_contact
from api.services.locking import lock, policy_of, run
from isa_engine.conversation import Conversation, decide
from isa_engine.errors import ContactDead
from isa_engine.events import Begin, TextReceived
from isa_engine.model import Intent, Status
from isa_engine.policy.zones import lead_now
from isa_engine.reading import read
from isa_engine.replies import DEAD_TEXT


@dataclass(frozen=True, slots=True)
class InboundText:
    """A lead's text as the webhook or the simulated phone hands it in (phone in E.164)."""

    sid: str
    phone: str
    body: str
    to: str | None = None


@dataclass(frozen=True, slots=True)
class TurnResult:
    """What a use case did: the conversation, the texts to hand to the sender, and flags."""

    contact_id: int
    conversation_id: int | None
    status: str | None
    outbound_ids: tuple[int, ...] = ()
    suggestion_ids: tuple[int, ...] = ()
    duplicate: bool = False  # the same MessageSid was stored before: nothing ran
    started: bool = True  # False when start_conversation found one already

    @classmethod
    def of(cls, contact_id: int, applied: Applied) -> TurnResult:
        """A result from what ``apply_turn`` wrote."""
        return cls(
            contact_id,
            applied.conversation_id,
            applied.status,
            tuple(applied.outbound_ids),
            tuple(applied.suggestion_ids),
        )


def start_conversation(
    container: Container,
    uow: SqlAlchemyUnitOfWork,
    contact_id: int,
    *,
    script_ref: str,
    agent_id: int | None,
    actor_id: int | None,
) -> TurnResult:
    """Start the contact's conversation on ``script_ref``'s current version and send the opening.

    Joins the caller's unit of work (the caller commits, then hands
    ``outbound_ids`` to ``outbox.deliver``). A contact that has a conversation
    already keeps it (``started=False``); a dead contact is refused (ContactDead).
    """
    existing = lock(container, uow, contact_id)
    if existing is not None:
        return TurnResult(contact_id, existing.row.id, existing.conversation.state, started=False)
    contact = uow.contacts.get(contact_id)
    if contact is None:
        raise LookupError(f"no contact {contact_id}")
    now = lead_now(container.clock(), contact.phone, contact.timezone)
    if contact.dead:
        raise ContactDead(DEAD_TEXT)
    script = container.scripts.get(script_ref)
    agent = uow.session.get(User, agent_id) if agent_id is not None else None
    conv = Conversation(
        script=script.key,
        contact=(contact.first_name or "there").strip().split()[0],
        agent=_first_name(agent),
        agent_last=agent.last_name if agent is not None else None,  # so the guard refuses it
    )
    scope = TurnScope(
        uow,
        contact,
        None,
        now,
        f"begin:{contact_id}",
        policy_of(container),
        actor_id=actor_id,
        opening=True,
    )
    applied = apply_turn(scope, decide(script, conv, Begin(), now), agent_id=agent_id)
    audit.record(
        uow.session,
        actor_id=actor_id,
        action="conversation.start",
        subject=("contact", contact_id),
        at=now,
        script=script.key,
        agent_id=agent_id,
    )
    return TurnResult.of(contact_id, applied)


def receive_text(container: Container, text: InboundText) -> TurnResult:
    """Store a lead's text once (by MessageSid) and run its turn, in one transaction."""
    now = container.clock()
    with container.uow() as uow:
        contact, _ = uow.contacts.get_or_create(text.phone, at=now)
        if not uow.messages.add_inbound(text.sid, contact_id=contact.id, body=text.body, at=now):
            return TurnResult(contact.id, None, None, duplicate=True, started=False)
        locked = lock(container, uow, contact.id)
        if locked is None:
            _without_conversation(uow, contact, text, now)
            uow.commit()
            return TurnResult(contact.id, None, None, started=False)
        uow.session.execute(
            update(Message)
            .where(Message.message_sid == text.sid)
            .values(conversation_id=locked.row.id)
            .execution_options(synchronize_session=False)
        )
        # the text is read on the lead's own clock: "tomorrow at 3" is their tomorrow
        now = lead_now(now, contact.phone, contact.timezone)
        scope = TurnScope(
            uow, locked.contact, locked.row, now, f"in:{text.sid}", policy_of(container)
        )
        if locked.contact.dead and locked.conversation.status is not Status.DEAD:
            # died outside a turn (carrier 21610): the conversation follows before reading
            apply_turn(scope, kill_quietly(locked.conversation))
            locked.conversation = uow.conversations.load(locked.row)
        was_cold = locked.conversation.status is Status.COLD
        leaving = leaving_now(uow, locked.row.id)
        applied = run(locked, TextReceived(text.body, leaving=leaving), scope)
        if was_cold and applied.status != Status.COLD.value:
            drip.stop_on_reply(uow, contact.id, locked.row.id, now)
        uow.commit()
    return TurnResult.of(contact.id, applied)


def leaving_now(uow: SqlAlchemyUnitOfWork, conversation_id: int) -> frozenset[str]:
    """The core's texts of this conversation a sender has handed to the provider: too late
    to withdraw. Read under the contact's lock, which the sender takes to mark one sending."""
    return frozenset(
        key
        for key in uow.session.scalars(
            select(Message.text_key).where(
                Message.conversation_id == conversation_id,
                Message.delivery_status == DeliveryStatus.SENDING,
            )
        )
        if key is not None
    )


def _without_conversation(
    uow: SqlAlchemyUnitOfWork, contact: Contact, text: InboundText, now: datetime
) -> None:
    """A text from a number with no conversation: kept, opt-out honoured, nothing started.

    No script is started for an unknown number: who the lead is and which agent
    they belong to is a coordinator's call. STOP still marks the number dead (it
    may be imported later) and START clears it; no reply goes, as no script
    says what it would be (Twilio answers STOP and HELP itself by default).
    """
    reading = read(text.body, None, now)
    if reading.has(Intent.OPT_OUT) and not contact.dead:
        uow.contacts.mark_dead(contact.id, "opted out", now)
        audit.record(
            uow.session,
            actor_id=None,
            action="contact.dead",
            subject=("contact", contact.id),
            at=now,
            reason="opted out",
            text=text.body,
        )
    elif reading.has(Intent.START) and contact.dead:
        revive_contact(uow, contact, now)
    audit.record(
        uow.session,
        actor_id=None,
        action="inbound.unmatched",
        subject=("contact", contact.id),
        at=now,
        sid=text.sid,
    )


def _first_name(agent: User | None) -> str:
    if agent is None:
        return "your agent"
    name = agent.first_name or (agent.name.split()[0] if agent.name.strip() else "")
    return name or "your agent"
