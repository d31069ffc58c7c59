"""Repositories: contacts, conversations and messages, each over one ``Session``.

They never commit: the unit of work does, so one turn (inbound stored, state
saved, jobs written) is one transaction. Duplicate-tolerant inserts use
``INSERT … ON CONFLICT DO NOTHING``, which both databases speak and which,
unlike catching an IntegrityError, leaves the transaction usable.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import phonenumbers
from sqlalchemy import Insert, select
from sqlalchemy.orm import Session

from adapters.storage.jobs import SEND
from adapters.storage.orm import Contact, ConversationRow, Job, Message
from adapters.storage.vocab import DELIVERY_RANK, DeliveryStatus, Direction
from isa_engine.conversation import Conversation
from isa_engine.model import OutcomeKind, SlotSource, SlotValue, Status, Unsent


def to_e164(raw: str, region: str = "US") -> str:
    """``raw`` as E.164 (``+12125550142``); ValueError when it cannot be a phone number.

    Only *possible* numbers are required, not carrier-valid ones: fictional
    555-01xx numbers must work in demos and tests.
    """
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"{raw!r} is not a phone number: {exc}") from exc
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        raise ValueError(f"{raw!r} has no area code: write the number with its area code")
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise ValueError(f"{raw!r} is not a possible phone number (wrong length?)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def insert_ignoring_conflicts(session: Session, table: Any, conflict_on: str) -> Insert:
    """``INSERT … ON CONFLICT (conflict_on) DO NOTHING`` in this session's dialect."""
    # each dialect's module is imported by its engine already; a SQLite process never
    # loads PostgreSQL's (and its asyncpg support) just to name this function
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).on_conflict_do_nothing(index_elements=[conflict_on])
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table).on_conflict_do_nothing(index_elements=[conflict_on])


class ContactRepository:
    """Contacts, keyed by E.164 phone."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, contact_id: int) -> Contact | None:
        """The contact with this id, or None."""
        return self.session.get(Contact, contact_id)

    def get_by_phone(self, phone: str) -> Contact | None:
        """The contact with this phone (normalised to E.164 first), or None."""
        return self.session.scalar(select(Contact).where(Contact.phone == to_e164(phone)))

    def get_or_create(self, phone: str, *, at: datetime, **fields: Any) -> tuple[Contact, bool]:
        """The contact for ``phone`` and whether it was created now (at ``at``); safe under races.

        ``fields`` (first_name, email, …) are used only when the contact is new.
        """
        e164 = to_e164(phone)
        stmt = insert_ignoring_conflicts(self.session, Contact.__table__, "phone")
        created = self.session.execute(
            stmt.values(phone=e164, created_at=at, **fields).returning(Contact.__table__.c.id)
        ).scalar()
        contact = self.session.scalar(select(Contact).where(Contact.phone == e164))
        if contact is None:  # pragma: no cover - the row exists once the insert returned
            raise LookupError(f"contact {e164} vanished inside its own transaction")
        return contact, created is not None

    def mark_dead(self, contact_id: int, reason: str, at: datetime) -> None:
        """Dead is permanent: the first reason and time are kept (COMPLIANCE.md #6)."""
        contact = self.session.get(Contact, contact_id)
        if contact is None:
            raise LookupError(f"no contact {contact_id}")
        if not contact.dead:
            contact.dead, contact.dead_reason, contact.dead_at = True, reason, at


class ConversationRepository:
    """Conversations, read under a lock and mapped to and from the core's ``Conversation``."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._locked: dict[int, ConversationRow] = {}  # contact id → row locked in this unit

    def get_for_update(self, contact_id: int) -> ConversationRow | None:
        """The contact's latest conversation, locked until the unit of work ends.

        The contact row is locked first, so a contact's turns queue even before
        their first conversation row exists (invariant 7). PostgreSQL: ``SELECT …
        FOR NO KEY UPDATE``; SQLite ignores it and relies on ``BEGIN IMMEDIATE``.
        """
        # NO KEY UPDATE, not UPDATE: inserting a message or job that references
        # the row takes KEY SHARE on it, and two turns that each stored their text
        # first would deadlock upgrading to FOR UPDATE. NO KEY UPDATE still queues
        # turns behind each other but does not conflict with KEY SHARE.
        locked = self.session.scalar(
            select(Contact.id).where(Contact.id == contact_id).with_for_update(key_share=True)
        )
        if locked is None:
            raise LookupError(f"no contact {contact_id}")
        row = self.session.scalar(
            select(ConversationRow)
            .where(ConversationRow.contact_id == contact_id)
            .order_by(ConversationRow.id.desc())
            .limit(1)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)  # never trust a copy read before the lock
        )
        if row is not None:
            self._locked[contact_id] = row
        return row

    def load(self, row: ConversationRow) -> Conversation:
        """The core's ``Conversation`` for ``row``, exactly as it was saved."""
        return Conversation(
            script=f"{row.script_name}@{row.script_version}",
            contact=row.contact_name,
            agent=row.agent_name,
            agent_last=row.agent_last,
            state=Status(row.status).value,
            awaiting=row.awaiting,
            slots={k: _slot_from_json(v) for k, v in row.slots.items()},
            sources={k: SlotSource(int(v["turn"]), str(v["text"])) for k, v in row.sources.items()},
            asked=dict(row.asked),
            skipped=list(row.skipped),
            outcomes=[OutcomeKind(o) for o in row.outcomes],
            turn=row.turn,
            seq=row.seq,
            resume_status=row.resume_status,
            final_text_sent=row.final_text_sent,
            last_inbound_at=row.last_inbound_at,
            last_outbound_at=row.last_outbound_at,
            unsent={
                k: Unsent(str(v["text"]), v.get("asks")) for k, v in (row.unsent or {}).items()
            },
            last_sent=row.last_sent,
            proposed_day=row.proposed_day,
            language=row.language or "en",
            switched_from=row.switched_from,
        )

    def save(
        self,
        conversation: Conversation,
        *,
        contact_id: int,
        at: datetime,
        agent_id: int | None = None,
    ) -> ConversationRow:
        """Write ``conversation`` over the contact's latest row (at ``at``), or start a row.

        The script version of an existing row never changes (invariant 8): a
        different ``script`` is refused rather than silently re-pinned, but for the
        recorded move to the script's version in another language (the conversation's
        ``switched_from`` names the version the row was on).
        """
        name, _, version = conversation.script.rpartition("@")
        if not name or not version.isdigit():
            raise ValueError(f"script {conversation.script!r} is not name@version")
        row = self._locked.get(contact_id) or self.session.scalar(
            select(ConversationRow)
            .where(ConversationRow.contact_id == contact_id)
            .order_by(ConversationRow.id.desc())
            .limit(1)
        )
        if row is None:
            row = ConversationRow(
                contact_id=contact_id, script_name=name, script_version=int(version), created_at=at
            )
            self.session.add(row)
            self._locked[contact_id] = row
        elif (row.script_name, row.script_version) != (name, int(version)):
            if conversation.switched_from == f"{row.script_name}@{row.script_version}":
                row.script_name, row.script_version = name, int(version)
            else:
                raise ValueError(
                    f"conversation {row.id} is on {row.script_name}@{row.script_version}, "
                    f"not {conversation.script}: start a new conversation or record a migration"
                )
        if agent_id is not None:
            row.agent_id = agent_id
        _write(row, conversation)
        row.updated_at = at
        self.session.flush()  # the version check runs now, inside the caller's lock
        return row


def _write(row: ConversationRow, c: Conversation) -> None:
    row.contact_name, row.agent_name, row.agent_last = c.contact, c.agent, c.agent_last
    row.status = Status(c.state)
    row.awaiting = c.awaiting
    row.slots = {k: list(v) if isinstance(v, tuple) else v for k, v in c.slots.items()}
    row.sources = {k: {"turn": s.turn, "text": s.text} for k, s in c.sources.items()}
    row.asked = dict(c.asked)
    row.skipped = list(c.skipped)
    row.outcomes = [OutcomeKind(o).value for o in c.outcomes]
    row.turn, row.seq = c.turn, c.seq
    row.resume_status = c.resume_status
    row.final_text_sent = c.final_text_sent
    row.last_inbound_at, row.last_outbound_at = c.last_inbound_at, c.last_outbound_at
    row.unsent = {k: {"text": u.text, "asks": u.asks} for k, u in c.unsent.items()}
    row.last_sent, row.proposed_day = c.last_sent, c.proposed_day
    row.language, row.switched_from = c.language, c.switched_from


def _slot_from_json(value: Any) -> SlotValue:
    # JSON has no tuple: the only list-valued slot (location) goes back to a tuple.
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    if isinstance(value, bool | int | float | str):
        return value
    raise ValueError(f"unexpected slot value in storage: {value!r}")


class MessageRepository:
    """Texts in and out; duplicates are absorbed, not raised."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_inbound(
        self,
        sid: str,
        *,
        contact_id: int,
        body: str,
        at: datetime,
        conversation_id: int | None = None,
    ) -> bool:
        """Store an inbound text once per MessageSid; False when it was stored already.

        On PostgreSQL a concurrent insert of the same sid waits for the other
        transaction and then does nothing, so a retried webhook runs one turn.
        """
        stmt = insert_ignoring_conflicts(self.session, Message.__table__, "message_sid")
        values = {
            "message_sid": sid,
            "contact_id": contact_id,
            "conversation_id": conversation_id,
            "direction": Direction.IN,
            "body": body,
            "delivery_status": DeliveryStatus.RECEIVED,
            "created_at": at,
        }
        new_id = self.session.execute(
            stmt.values(**values).returning(Message.__table__.c.id)
        ).scalar()
        return new_id is not None

    def add_outbound(
        self, idempotency_key: str, *, contact_id: int, body: str, at: datetime, **fields: Any
    ) -> int | None:
        """Queue an outbound text at ``at`` once per idempotency key; its id, or None if queued
        already.

        Its send job is written beside it, due at once, so a text queued is a text a
        worker will send even if this process dies right after the commit.

        ``fields``: conversation_id, sent_by, approved_by_id, typed_by_id,
        suggestion_id, script_step.
        """
        stmt = insert_ignoring_conflicts(self.session, Message.__table__, "idempotency_key")
        values = {
            "idempotency_key": idempotency_key,
            "contact_id": contact_id,
            "direction": Direction.OUT,
            "body": body,
            "delivery_status": DeliveryStatus.QUEUED,
            "created_at": at,
            **fields,
        }
        new_id: int | None = self.session.execute(
            stmt.values(**values).returning(Message.__table__.c.id)
        ).scalar()
        if new_id is not None:  # its send job, in the same transaction (the outbox)
            self.session.add(
                Job(
                    kind=SEND,
                    due_at=at,
                    created_at=at,
                    payload={"message_id": new_id},
                    conversation_id=fields.get("conversation_id"),
                )
            )
            self.session.flush()
        return new_id

    def by_sid(self, sid: str) -> Message | None:
        """The message with this MessageSid, or None."""
        return self.session.scalar(select(Message).where(Message.message_sid == sid))

    def record_status(
        self, sid: str, status: DeliveryStatus, error_code: int | None = None
    ) -> bool:
        """Move a message's delivery status forward only (COMPLIANCE.md #12); True if it moved."""
        message = self.session.scalar(
            select(Message).where(Message.message_sid == sid).with_for_update()
        )
        if message is None or DELIVERY_RANK[status] <= DELIVERY_RANK[message.delivery_status]:
            return False
        message.delivery_status = status
        if error_code is not None:
            message.error_code = error_code
        return True
