"""Leads as the Leads tab sees them: search with filters and paging, and bulk writes for imports.

A *lead* is one inquiry (seed 001: five Schedule Showing forms are five leads)
shown with its contact. Access is the caller's business: every query takes a
``visible`` WHERE clause on ``Contact`` (``api.access.visible_contacts``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    case,
    exists,
    func,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from adapters.storage.orm import (
    Assignment,
    ConsentRecord,
    Contact,
    ConversationRow,
    Inquiry,
)
from adapters.storage.repositories import insert_ignoring_conflicts
from adapters.storage.vocab import AssignmentState

_T = TypeVar("_T")

# SQLite allows 32,766 bound parameters per statement; stay well below for IN lists.
_IN_CHUNK = 900

OPEN_ASSIGNMENT = (AssignmentState.OFFERED, AssignmentState.ACCEPTED)

# The listed inquiry is an alias: subqueries on ``inquiries`` (ownership, access) then
# correlate to the contact only, never to the row being listed.
Lead = aliased(Inquiry, name="lead")


@dataclass(frozen=True)
class LeadFilter:
    """What the Leads tab filters on; an empty tuple or None means "any"."""

    lead_status: tuple[str, ...] = ()
    contact_status: tuple[str, ...] = ()
    contact_type: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    business_source: tuple[str, ...] = ()
    inquiry_type: tuple[str, ...] = ()
    priority: tuple[str, ...] = ()
    time_frame: tuple[str, ...] = ()
    conversation_status: tuple[str, ...] = ()
    interest_min: int | None = None
    interest_max: int | None = None
    owner_id: int | None = None
    assigned: bool | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    q: str | None = None
    phone: str | None = None  # the free text as E.164, when it reads as a phone number


def latest_conversation_status() -> Any:
    """A correlated subquery: the status of the contact's newest conversation (or NULL)."""
    return (
        select(ConversationRow.status)
        .where(ConversationRow.contact_id == Contact.id)
        .order_by(ConversationRow.id.desc())
        .limit(1)
        .correlate(Contact)
        .scalar_subquery()
    )


def is_assigned() -> ColumnElement[bool]:
    """True for a contact with an owner on any inquiry, or an offered or accepted assignment."""
    owned = exists().where(Inquiry.contact_id == Contact.id, Inquiry.owner_id.is_not(None))
    offered = exists().where(
        Assignment.contact_id == Contact.id, Assignment.state.in_(OPEN_ASSIGNMENT)
    )
    return or_(owned, offered)


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(f: LeadFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    for column, values in (
        (Lead.lead_status, f.lead_status),
        (Lead.contact_status, f.contact_status),
        (Lead.contact_type, f.contact_type),
        (Lead.source, f.source),
        (Lead.business_source, f.business_source),
        (Lead.inquiry_type, f.inquiry_type),
        (Lead.priority, f.priority),
        (Lead.time_frame, f.time_frame),
    ):
        if values:
            where.append(column.in_(values))
    if f.conversation_status:
        where.append(latest_conversation_status().in_(f.conversation_status))
    if f.interest_min is not None:
        where.append(Lead.interest_level >= f.interest_min)
    if f.interest_max is not None:
        where.append(Lead.interest_level <= f.interest_max)
    if f.owner_id is not None:
        where.append(Lead.owner_id == f.owner_id)
    if f.assigned is not None:
        where.append(is_assigned() if f.assigned else not_(is_assigned()))
    if f.received_from is not None:
        where.append(Lead.received_at >= f.received_from)
    if f.received_to is not None:
        where.append(Lead.received_at < f.received_to)
    if f.q:
        pattern = _like(f.q.strip())
        text_match: list[ColumnElement[bool]] = [
            func.lower(column).like(pattern, escape="\\")
            for column in (Contact.first_name, Contact.last_name, Contact.email, Contact.phone)
        ]
        full_name = func.lower(Contact.first_name + " " + Contact.last_name)
        text_match.append(full_name.like(pattern, escape="\\"))
        if f.phone:
            text_match.append(Contact.phone == f.phone)
        where.append(or_(*text_match))
    return where


_PRIORITY_RANK = case({"hot": 0, "warm": 1, "cold": 2, "dead": 3}, value=Lead.priority, else_=4)
SORTS: dict[str, Any] = {
    "received_at": Lead.received_at,
    "interest_level": Lead.interest_level,
    "priority": _PRIORITY_RANK,
    "last_name": Contact.last_name,
    "first_name": Contact.first_name,
    "lead_status": Lead.lead_status,
    "source": Lead.source,
    "inquiry_type": Lead.inquiry_type,
    "time_frame": Lead.time_frame,
}
"""Sort keys for ``search``; prefix ``-`` for descending."""


def search(
    session: Session,
    visible: ColumnElement[bool],
    f: LeadFilter,
    *,
    sort: str = "-received_at",
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[tuple[Inquiry, Contact, str | None]]]:
    """The total number of matching leads and one page of (Inquiry, Contact, status) rows."""
    where = [visible, *_conditions(f)]
    total = session.scalar(
        select(func.count(Lead.id)).join(Contact, Contact.id == Lead.contact_id).where(*where)
    )
    descending = sort.startswith("-")
    key = SORTS[sort.lstrip("-")]
    order = [key.desc().nulls_last(), Lead.id.desc()]
    if not descending:
        order = [key.asc().nulls_last(), Lead.id.asc()]
    page: Select[Any] = (
        select(Lead, Contact, latest_conversation_status().label("conversation_status"))
        .join(Contact, Contact.id == Lead.contact_id)
        .where(*where)
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )
    return int(total or 0), [(r[0], r[1], r[2]) for r in session.execute(page)]


def unassigned(
    session: Session, *, limit: int = 50, offset: int = 0
) -> tuple[int, list[tuple[Contact, datetime, int, str | None]]]:
    """Contacts nobody owns and nobody was offered, newest inquiry first (seed 002).

    Rows are (Contact, latest received_at, number of inquiries, conversation status).
    """
    condition = and_(not_(is_assigned()), Contact.dead.is_(False))
    total = session.scalar(select(func.count(Contact.id)).where(condition))
    latest = func.max(Lead.received_at).label("latest")
    page = (
        select(
            Contact,
            latest,
            func.count(Lead.id).label("inquiries"),
            latest_conversation_status().label("conversation_status"),
        )
        .join(Lead, Lead.contact_id == Contact.id)
        .where(condition)
        .group_by(Contact.id)
        .order_by(latest.desc(), Contact.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return int(total or 0), [(r[0], r[1], r[2], r[3]) for r in session.execute(page)]


def _chunks(values: Sequence[_T], size: int = _IN_CHUNK) -> Iterable[Sequence[_T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def contact_ids_by_phone(session: Session, phones: Collection[str]) -> dict[str, int]:
    """The ids of the contacts with these E.164 phones (those that exist)."""
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(phones)):
        rows = session.execute(select(Contact.phone, Contact.id).where(Contact.phone.in_(chunk)))
        found.update({phone: ident for phone, ident in rows})
    return found


def get_or_create_contacts(
    session: Session, contacts: Sequence[dict[str, Any]]
) -> tuple[dict[str, int], set[str]]:
    """Ids by phone for ``contacts`` (dicts with ``phone`` and contact fields), and the new phones.

    One ``INSERT … ON CONFLICT DO NOTHING RETURNING`` (batched by SQLAlchemy's
    insertmanyvalues) creates the new contacts and hands back their ids; only
    the phones that already had a contact (usually none) are looked up. A
    contact created meanwhile by intake or the webhook wins, its fields
    untouched. No IN-list over the whole batch: on PostgreSQL a prepared
    generic plan for one can fall back to a sequential scan.
    """
    if not contacts:
        return {}, set()
    table = cast(Table, Contact.__table__)
    stmt = insert_ignoring_conflicts(session, table, "phone").returning(table.c.phone, table.c.id)
    created = {phone: ident for phone, ident in session.execute(stmt, list(contacts))}
    existing = contact_ids_by_phone(session, {c["phone"] for c in contacts} - created.keys())
    return {**existing, **created}, set(created)


def insert_inquiries(session: Session, inquiries: Sequence[dict[str, Any]]) -> None:
    """Insert inquiry rows (dicts of Inquiry columns) with one executemany."""
    if inquiries:
        session.execute(cast(Table, Inquiry.__table__).insert(), list(inquiries))


# What makes two inquiries of one contact the same lead event, for a re-imported CSV row: every
# Leads-tab field, and the time it was received when the file says it (else any time matches).
INQUIRY_KEY_FIELDS = (
    "source",
    "inquiry_type",
    "property_address",
    "property_state",
    "property_zip",
    "message",
    "lead_status",
    "contact_status",
    "contact_type",
    "business_source",
    "interest_level",
    "priority",
    "time_frame",
)
InquiryKey = tuple[object, ...]
ConsentKey = tuple[str, str, str | None]


def inquiry_key(fields: dict[str, Any], received_at: datetime | None) -> InquiryKey:
    """The key of one inquiry's fields; ``received_at`` None for "whenever it was received"."""
    values = tuple(
        None if (v := fields.get(name)) is None else str(v) for name in INQUIRY_KEY_FIELDS
    )
    when = None if received_at is None else _utc(received_at).isoformat()
    return (*values, when)


def _utc(when: datetime) -> datetime:
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def inquiry_keys(session: Session, contact_ids: Collection[int]) -> dict[int, set[InquiryKey]]:
    """Each contact's inquiries as keys, each twice: with its received time and without."""
    found: dict[int, set[InquiryKey]] = {c: set() for c in contact_ids}
    columns = [getattr(Inquiry, name) for name in INQUIRY_KEY_FIELDS]
    for chunk in _chunks(sorted(contact_ids)):
        rows = session.execute(
            select(Inquiry.contact_id, Inquiry.received_at, *columns).where(
                Inquiry.contact_id.in_(chunk)
            )
        )
        for contact_id, received_at, *values in rows:
            fields = dict(zip(INQUIRY_KEY_FIELDS, values, strict=True))
            keys = found[contact_id]
            keys.add(inquiry_key(fields, None))
            keys.add(inquiry_key(fields, received_at))
    return found


def consent_keys(session: Session, contact_ids: Collection[int]) -> dict[int, set[ConsentKey]]:
    """Each contact's consent records as (source, wording, reference)."""
    found: dict[int, set[ConsentKey]] = {c: set() for c in contact_ids}
    for chunk in _chunks(sorted(contact_ids)):
        rows = session.execute(
            select(
                ConsentRecord.contact_id,
                ConsentRecord.source,
                ConsentRecord.wording,
                ConsentRecord.reference,
            ).where(ConsentRecord.contact_id.in_(chunk))
        )
        for contact_id, source, wording, reference in rows:
            found[contact_id].add((source, wording, reference))
    return found


def fill_contacts(
    session: Session, fields: Sequence[str], wanted: dict[int, list[dict[str, Any]]]
) -> dict[int, set[str]]:
    """Give each contact the ``fields`` it lacks from its rows (first non-empty value wins);
    a value it has is never replaced. Returns the fields each contact gained."""
    gained: dict[int, set[str]] = {}
    columns = [getattr(Contact, name) for name in fields]
    for chunk in _chunks(sorted(wanted)):
        for contact_id, *have in session.execute(
            select(Contact.id, *columns).where(Contact.id.in_(chunk))
        ):
            updates: dict[str, Any] = {}
            for name, value in zip(fields, have, strict=True):
                if value is not None:
                    continue
                new = next((r[name] for r in wanted[contact_id] if r.get(name)), None)
                if new is not None:
                    updates[name] = new
            if updates:
                session.execute(
                    cast(Table, Contact.__table__)
                    .update()
                    .where(Contact.__table__.c.id == contact_id)
                    .values(**updates)
                )
                gained[contact_id] = set(updates)
    return gained
