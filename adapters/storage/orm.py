"""The tables, as SQLAlchemy 2 typed declarative models, portable across SQLite and PostgreSQL.

Rows are storage, not the domain: the core's ``Conversation`` is mapped to and
from ``ConversationRow`` by ``repositories.ConversationRepository``. Nothing is
deleted on cascade: consent, messages and opt-outs are records we keep
(COMPLIANCE.md "Records kept").
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from adapters.storage.columns import ID, UtcDateTime
from adapters.storage.vocab import (
    AssignmentState,
    DeliveryStatus,
    Direction,
    EnrollmentState,
    LeadStatus,
    Priority,
    Role,
    SuggestionState,
)
from isa_engine.model import OutcomeKind, Status

# Named constraints: Alembic's batch mode on SQLite can only drop what has a name.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


TRIGRAM_SEARCHED = ("first_name", "last_name", "email", "phone")
"""The contact columns the Leads search matches fragments of (PostgreSQL's trigram index)."""


def str_enum(cls: type[StrEnum], name: str) -> Enum:
    """A VARCHAR + CHECK column holding the enum's values (not names): readable in SQL."""
    return Enum(
        cls,
        name=name,
        native_enum=False,  # no PostgreSQL ENUM type: adding a value stays a plain migration
        create_constraint=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    """Declarative base; its ``metadata`` is what Alembic compares against."""

    metadata = MetaData(naming_convention=NAMING)


def _id() -> Mapped[int]:
    return mapped_column(ID, primary_key=True, autoincrement=True)


def _fk(target: str, *, nullable: bool = False, index: bool = True) -> Any:
    return mapped_column(ID, ForeignKey(target), nullable=nullable, index=index)


def _at(*, nullable: bool = False, index: bool = False) -> Any:
    # No default: every time comes from the service's clock, never the machine's, so a
    # path that forgets it fails at once instead of stamping the real date.
    return mapped_column(UtcDateTime, nullable=nullable, index=index)


class Contact(Base):
    """A person, keyed by E.164 phone (DESIGN.md vocabulary)."""

    __tablename__ = "contacts"
    __table_args__ = (
        # The Leads search finds a fragment of a name, e-mail or phone with ILIKE '%…%':
        # a trigram index on PostgreSQL. SQLite has no such index; there it is an empty
        # partial index (WHERE 0), so the models and the migrations stay the same.
        Index(
            "ix_contacts_search_trgm",
            *TRIGRAM_SEARCHED,
            postgresql_using="gin",
            postgresql_ops=dict.fromkeys(TRIGRAM_SEARCHED, "gin_trgm_ops"),
            sqlite_where=text("0"),
        ),
    )

    id: Mapped[int] = _id()
    phone: Mapped[str] = mapped_column(String(16), unique=True)  # E.164: '+' and ≤15 digits
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    zip: Mapped[str | None] = mapped_column(String(10))
    state: Mapped[str | None] = mapped_column(String(2))
    timezone: Mapped[str | None] = mapped_column(String(64))  # IANA name; a hint only
    dead: Mapped[bool] = mapped_column(Boolean, default=False)
    dead_reason: Mapped[str | None] = mapped_column(String(200))
    dead_at: Mapped[datetime | None] = _at(nullable=True)
    created_at: Mapped[datetime] = _at()


class Inquiry(Base):
    """One lead event with the Leads-tab fields a coordinator filters on (seed 001)."""

    __tablename__ = "inquiries"
    __table_args__ = (
        CheckConstraint("interest_level BETWEEN 0 AND 5", name="interest_level_0_5"),
        # The Leads tab lists newest first: an equality filter and that order, one index.
        Index("ix_inquiries_owner_received", "owner_id", "received_at"),
        Index("ix_inquiries_lead_status_received", "lead_status", "received_at"),
        Index("ix_inquiries_source_received", "source", "received_at"),
        Index("ix_inquiries_priority_received", "priority", "received_at"),
        # the foreign key's index, and "does this contact have an owner" (agents' access)
        Index("ix_inquiries_contact_owner", "contact_id", "owner_id"),
    )

    id: Mapped[int] = _id()
    contact_id: Mapped[int] = _fk("contacts.id", index=False)
    source: Mapped[str] = mapped_column(String(60))  # Broker, Agent, Realtor.com…
    inquiry_type: Mapped[str] = mapped_column(String(40), index=True)
    property_address: Mapped[str | None] = mapped_column(String(300))
    property_state: Mapped[str | None] = mapped_column(String(2))
    property_zip: Mapped[str | None] = mapped_column(String(10), index=True)
    message: Mapped[str | None] = mapped_column(Text)
    lead_status: Mapped[LeadStatus] = mapped_column(
        str_enum(LeadStatus, "lead_status"), default=LeadStatus.ACTIVE
    )
    contact_status: Mapped[str | None] = mapped_column(String(40), index=True)
    contact_type: Mapped[str | None] = mapped_column(String(40), index=True)
    business_source: Mapped[str | None] = mapped_column(String(60), index=True)
    interest_level: Mapped[int | None] = mapped_column(SmallInteger, index=True)
    priority: Mapped[Priority | None] = mapped_column(str_enum(Priority, "priority"))
    time_frame: Mapped[str | None] = mapped_column(String(40), index=True)
    owner_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)
    received_at: Mapped[datetime] = _at(index=True)
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class User(Base):
    """A person who signs in; agents are users with role ``agent`` and a profile."""

    __tablename__ = "users"

    id: Mapped[int] = _id()
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    first_name: Mapped[str | None] = mapped_column(String(100))  # agent profile
    last_name: Mapped[str | None] = mapped_column(String(100))
    cell_phone: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = _at()
    away: Mapped[bool] = mapped_column(Boolean, default=False)  # routing skips them


class ApiToken(Base):
    """A bearer token, stored only as its hash."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = _id()
    user_id: Mapped[int] = _fk("users.id")
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = _at()
    last_used_at: Mapped[datetime | None] = _at(nullable=True)
    revoked_at: Mapped[datetime | None] = _at(nullable=True)
    expires_at: Mapped[datetime | None] = _at(nullable=True)  # None: until revoked
    # a console session: its random id is in the signed cookie; never an API bearer token
    console: Mapped[bool] = mapped_column(Boolean, default=False)
    user_agent: Mapped[str | None] = mapped_column(String(300))


class SignInThrottle(Base):
    """Failed sign-ins per account (``account:<e-mail>``) and per address (``address:<ip>``),
    in the database so every process shares them (api/sign_in.py)."""

    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = _at()
    blocked_until: Mapped[datetime | None] = _at(nullable=True)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)  # until a person lifts it


class Assignment(Base):
    """A lead offered to an agent, who accepts or rejects it (seed 002)."""

    __tablename__ = "assignments"

    id: Mapped[int] = _id()
    contact_id: Mapped[int] = _fk("contacts.id")
    inquiry_id: Mapped[int | None] = _fk("inquiries.id", nullable=True)
    agent_id: Mapped[int] = _fk("users.id")
    assigned_by_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)
    state: Mapped[AssignmentState] = mapped_column(
        str_enum(AssignmentState, "assignment_state"), default=AssignmentState.OFFERED, index=True
    )
    reject_reason: Mapped[str | None] = mapped_column(String(300))
    offered_at: Mapped[datetime] = _at()
    decided_at: Mapped[datetime | None] = _at(nullable=True)
    rule: Mapped[str | None] = mapped_column(String(100))  # the routing rule that offered it
    route_group: Mapped[str | None] = mapped_column(String(100))  # its round robin, if any


class RoutingCursor(Base):
    """Where a routing group's round robin goes next (``rules/routing.yaml``)."""

    __tablename__ = "routing_cursors"

    group_name: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Share(Base):
    """A contact shared with another agent, who may then see it (seed 001 "Shared")."""

    __tablename__ = "shares"
    __table_args__ = (UniqueConstraint("contact_id", "agent_id"),)

    id: Mapped[int] = _id()
    contact_id: Mapped[int] = _fk("contacts.id", index=False)  # the unique index serves
    agent_id: Mapped[int] = _fk("users.id")
    shared_by_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)
    created_at: Mapped[datetime] = _at()


class ConsentRecord(Base):
    """Prior express written consent, required before drip (COMPLIANCE.md #9)."""

    __tablename__ = "consent_records"

    id: Mapped[int] = _id()
    contact_id: Mapped[int] = _fk("contacts.id")
    source: Mapped[str] = mapped_column(String(100))
    wording: Mapped[str] = mapped_column(Text)
    given_at: Mapped[datetime] = _at()
    reference: Mapped[str | None] = mapped_column(String(300))


class ConversationRow(Base):
    """One contact's thread, pinned to ``script_name@script_version`` (invariant 8), or to
    that script's version in another language when the lead switched (``switched_from``).

    The first names the templates use are kept on the row, as the core's
    ``Conversation`` holds them, so a load gives back exactly what was saved.
    ``version`` is bumped on every save and checked by the UPDATE (optimistic
    check under the row lock, a second guard against a lost update).
    """

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_script", "script_name", "script_version"),)

    id: Mapped[int] = _id()
    contact_id: Mapped[int] = _fk("contacts.id")
    agent_id: Mapped[int | None] = _fk("users.id", nullable=True)
    script_name: Mapped[str] = mapped_column(String(60))
    script_version: Mapped[int] = mapped_column(Integer)
    contact_name: Mapped[str] = mapped_column(String(100))
    agent_name: Mapped[str] = mapped_column(String(100))
    agent_last: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[Status] = mapped_column(str_enum(Status, "status"), index=True)
    awaiting: Mapped[str | None] = mapped_column(String(60))
    slots: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sources: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    asked: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    skipped: Mapped[list[str]] = mapped_column(JSON, default=list)
    outcomes: Mapped[list[str]] = mapped_column(JSON, default=list)
    turn: Mapped[int] = mapped_column(Integer, default=0)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    resume_status: Mapped[str | None] = mapped_column(String(20))
    final_text_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    last_inbound_at: Mapped[datetime | None] = _at(nullable=True)
    last_outbound_at: Mapped[datetime | None] = _at(nullable=True)  # our last text that left
    # our texts not yet sent, by the core's key: {"s4": {"text": ..., "asks": "beds"}}
    unsent: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_sent: Mapped[str | None] = mapped_column(Text)
    proposed_day: Mapped[str | None] = mapped_column(String(10))  # "YYYY-MM-DD", lead-local
    # the language we text the lead in (the script's), and the script version the last
    # language switch left (a switch is the one recorded re-pinning of a conversation)
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    switched_from: Mapped[str | None] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = _at()
    updated_at: Mapped[datetime] = _at()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own dict


class Suggestion(Base):
    """A reply the engine proposed, waiting in (or gone from) the ISA queue."""

    __tablename__ = "suggestions"
    __table_args__ = (
        UniqueConstraint("conversation_id", "key"),
        # the queue: oldest pending first (speed to lead)
        Index("ix_suggestions_state_created", "state", "created_at"),
    )

    id: Mapped[int] = _id()
    conversation_id: Mapped[int] = _fk("conversations.id", index=False)
    key: Mapped[str] = mapped_column(String(40))  # the core's SuggestText.id, unique per thread
    text: Mapped[str] = mapped_column(Text)
    asks: Mapped[str | None] = mapped_column(String(60))
    why: Mapped[str] = mapped_column(Text, default="")
    step: Mapped[str | None] = mapped_column(String(60))
    state: Mapped[SuggestionState] = mapped_column(
        str_enum(SuggestionState, "suggestion_state"), default=SuggestionState.PENDING
    )
    decided_by_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)
    decided_at: Mapped[datetime | None] = _at(nullable=True)
    reject_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = _at()


class Message(Base):
    """Every text in and out, kept (COMPLIANCE.md "Records kept").

    ``message_sid`` is unique so a retried webhook is stored once (invariant 5);
    ``idempotency_key`` is unique so an outbound is sent at most once (invariant 6).
    Both are NULL-able: NULLs never collide in either database.
    """

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_contact_created", "contact_id", "created_at"),
        Index("ix_messages_contact_sent", "contact_id", "sent_at"),  # rolling caps
    )

    id: Mapped[int] = _id()
    contact_id: Mapped[int] = _fk("contacts.id", index=False)
    conversation_id: Mapped[int | None] = _fk("conversations.id", nullable=True)
    direction: Mapped[Direction] = mapped_column(str_enum(Direction, "direction"))
    body: Mapped[str] = mapped_column(Text)
    message_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    delivery_status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, "delivery_status")
    )
    error_code: Mapped[int | None] = mapped_column(Integer)  # Twilio's, e.g. 21610
    sent_by: Mapped[str | None] = mapped_column(String(100))  # "auto" or who, as the core says
    approved_by_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)
    typed_by_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)
    suggestion_id: Mapped[int | None] = _fk("suggestions.id", nullable=True, index=False)
    script_step: Mapped[str | None] = mapped_column(String(60))
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    text_key: Mapped[str | None] = mapped_column(String(40))  # the core's SendText.key
    created_at: Mapped[datetime] = _at()
    sent_at: Mapped[datetime | None] = _at(nullable=True)  # when it left (queued may be earlier)


class EarlyStatus(Base):
    """A delivery status that came before its message's sid was stored (Twilio can call back
    before the send's answer is saved); applied, and deleted, when the sid lands."""

    __tablename__ = "early_statuses"

    message_sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    delivery_status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, "delivery_status")
    )
    error_code: Mapped[int | None] = mapped_column(Integer)
    received_at: Mapped[datetime] = _at()


class OutcomeRow(Base):
    """An Appointment, Engagement or Update handed to the agent."""

    __tablename__ = "outcomes"
    __table_args__ = (Index("ix_outcomes_agent_created", "agent_id", "created_at"),)

    id: Mapped[int] = _id()
    conversation_id: Mapped[int] = _fk("conversations.id")
    kind: Mapped[OutcomeKind] = mapped_column(str_enum(OutcomeKind, "outcome_kind"), index=True)
    slots: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
    agent_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)
    created_at: Mapped[datetime] = _at()


class Note(Base):
    """A note on a contact, by an agent or ISA."""

    __tablename__ = "notes"

    id: Mapped[int] = _id()
    contact_id: Mapped[int] = _fk("contacts.id")
    author_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = _at()


class Campaign(Base):
    """A drip, versioned like scripts: ``name@version``."""

    __tablename__ = "campaigns"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = _id()
    name: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = _at()


class Enrollment(Base):
    """A contact's membership of a campaign; stopping it keeps the row."""

    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("contact_id", "campaign_id"),)

    id: Mapped[int] = _id()
    contact_id: Mapped[int] = _fk("contacts.id", index=False)  # the unique index serves
    campaign_id: Mapped[int] = _fk("campaigns.id")
    state: Mapped[EnrollmentState] = mapped_column(
        str_enum(EnrollmentState, "enrollment_state"), default=EnrollmentState.ACTIVE, index=True
    )
    step: Mapped[int] = mapped_column(Integer, default=0)
    enrolled_at: Mapped[datetime] = _at()
    stopped_at: Mapped[datetime | None] = _at(nullable=True)
    stopped_by_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)


class Job(Base):
    """A durable timer or outbox entry, run by a worker once due (DESIGN.md "Time")."""

    __tablename__ = "jobs"

    id: Mapped[int] = _id()
    kind: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime] = _at(index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # so CancelTimers can drop one conversation's timers and queued texts
    conversation_id: Mapped[int | None] = _fk("conversations.id", nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_until: Mapped[datetime | None] = _at(nullable=True)
    parked: Mapped[bool] = mapped_column(Boolean, default=False)  # gave up: a person looks
    created_at: Mapped[datetime] = _at()


class AuditEntry(Base):
    """Who changed what, when (issue 3: every change is in the audit log)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = _id()
    actor_id: Mapped[int | None] = _fk("users.id", nullable=True)  # None: the system
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = _at(index=True)
