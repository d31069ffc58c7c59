"""The read side of leads: search pages, the unassigned list, and one lead's detail."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, and_, exists, func, not_, null, or_, select
from sqlalchemy.orm import Session, aliased

from adapters.storage import leads as lead_store
from adapters.storage.orm import (
    Assignment,
    ConsentRecord,
    Contact,
    ConversationRow,
    Inquiry,
    Share,
)
from api.services.assignments import AssignmentOut, assignment_out

Lead = lead_store.Lead

LEAD_FIELDS = (
    "source",
    "inquiry_type",
    "lead_status",
    "contact_status",
    "contact_type",
    "business_source",
    "interest_level",
    "priority",
    "time_frame",
)
CONTACT_FIELDS = (
    "id",
    "phone",
    "first_name",
    "last_name",
    "email",
    "zip",
    "state",
    "dead",
    "dead_reason",
    "created_at",
)


class LeadRow(BaseModel):
    """One lead (an inquiry) with its contact, as the Leads tab lists it."""

    inquiry_id: int
    contact_id: int
    first_name: str | None
    last_name: str | None
    phone: str
    email: str | None
    source: str
    inquiry_type: str
    lead_status: str
    contact_status: str | None
    contact_type: str | None
    business_source: str | None
    interest_level: int | None
    priority: str | None
    time_frame: str | None
    owner_id: int | None
    received_at: datetime
    conversation_status: str | None
    dead: bool


class LeadPage(BaseModel):
    """One page of a search and how many leads match in all."""

    total: int
    limit: int
    offset: int
    items: list[LeadRow]


class UnassignedRow(BaseModel):
    """A contact waiting to be assigned (seed 002's Unassigned Leads List)."""

    contact_id: int
    first_name: str | None
    last_name: str | None
    phone: str
    latest_inquiry_at: datetime
    inquiries: int
    conversation_status: str | None


class UnassignedPage(BaseModel):
    """A page of the coordinator's unassigned list, newest first."""

    total: int
    items: list[UnassignedRow]


class LeadDetail(BaseModel):
    """A contact with everything about it: inquiries, assignments, shares, consent, conversation."""

    contact: dict[str, Any]
    owner_id: int | None = None  # the one owner: of its inquiries, its conversation, its alerts
    inquiries: list[dict[str, Any]]
    assignments: list[AssignmentOut]
    shared_with: list[int]
    consent: list[dict[str, Any]]
    conversation: dict[str, Any] | None


def _columns(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: getattr(row, n) for n in names}


def search_page(
    session: Session,
    visible: ColumnElement[bool],
    filters: lead_store.LeadFilter,
    *,
    sort: str,
    limit: int,
    offset: int,
) -> LeadPage:
    """One page of leads matching ``filters`` among those ``visible``, and the total.

    Built to stay fast on a million contacts (``python -m bench.leads``): the count
    touches contacts only when a condition is on them; the page is chosen as ids
    first, then only its rows are loaded with their contacts.
    """
    search = _Search(session.get_bind().dialect.name, visible, filters)
    rows = session.execute(search.page(sort, limit=limit, offset=offset)).all()
    ids = [ident for ident, _ in rows]
    if search.text and (rows or offset == 0):
        total = rows[0][1] or 0 if rows else 0  # counted in the same pass
    else:
        total = session.scalar(search.count()) or 0
    loaded = {
        i.id: (i, c, status)
        for i, c, status in session.execute(
            select(Lead, Contact, lead_store.latest_conversation_status())
            .join(Contact, Contact.id == Lead.contact_id)
            .where(Lead.id.in_(ids))
        )
    }
    items = [
        LeadRow(
            inquiry_id=i.id,
            contact_id=c.id,
            first_name=c.first_name,
            last_name=c.last_name,
            phone=c.phone,
            email=c.email,
            owner_id=i.owner_id,
            received_at=i.received_at,
            conversation_status=status,
            dead=c.dead,
            **_columns(i, LEAD_FIELDS),
        )
        for i, c, status in (loaded[n] for n in ids if n in loaded)
    ]
    return LeadPage(total=int(total), limit=limit, offset=offset, items=items)


SEES_ALL = Contact.id.is_not(None)
"""``api.access.visible_contacts`` for the roles that see every lead."""

_NOT_NULL_SORTS = frozenset({"received_at", "lead_status", "source", "inquiry_type", "priority"})
"""Sort keys that are never NULL: ``NULLS LAST`` changes nothing, and without it an index serves
the order on PostgreSQL (a backward scan of an ascending index gives ``DESC NULLS FIRST``)."""


class _Search:
    """The search's statements: what ``adapters.storage.leads.search`` asks, written so each
    condition can use an index and the contacts are joined only when needed."""

    def __init__(
        self, dialect: str, visible: ColumnElement[bool], f: lead_store.LeadFilter
    ) -> None:
        self.postgres = dialect == "postgresql"
        self.on_leads = _lead_conditions(f)
        self.on_contacts: list[ColumnElement[bool]] = []
        if not visible.compare(SEES_ALL):
            self.on_contacts.append(visible)
        self.text = bool(f.q)
        if f.q:
            self.on_contacts.append(_text_match(f.q, f.phone, postgres=self.postgres))

    def _where(self) -> list[ColumnElement[bool]]:
        if not self.on_contacts:
            return self.on_leads
        contacts = select(Contact.id).where(*self.on_contacts)
        return [*self.on_leads, Lead.contact_id.in_(contacts)]

    def count(self) -> Select[int]:
        """How many leads match in all."""
        return select(func.count()).select_from(Lead).where(*self._where())

    def page(self, sort: str, *, limit: int, offset: int) -> Select[int, int | None]:
        """(id, total) of one page of matching leads, in the order asked; the total of all
        matches comes with a text search only (``count()`` gives it otherwise)."""
        name = sort.lstrip("-")
        key = lead_store.SORTS[name]
        page = select(Lead.id)
        if name in ("last_name", "first_name"):  # a contact's field: join, filter on the join
            page = page.join(Contact, Contact.id == Lead.contact_id)
            page = page.where(*self.on_leads, *self.on_contacts)
        else:
            page = page.where(*self._where())
        if not self.text:
            counted = cast(Select[int, int | None], page.add_columns(null().label("total")))
            return counted.order_by(*_order(sort, key, Lead.id)).limit(limit).offset(offset)
        # A text search matches few leads, but PostgreSQL may guess many and walk the
        # newest-first index, probing each lead's contact until a page is full: seconds for
        # a rare name. Gathered first, the matching leads cost what they number to sort,
        # and are counted in the same pass.
        matched = (
            page.add_columns(key.label("key"))
            .cte("matched")
            .prefix_with("MATERIALIZED", dialect="postgresql")
        )
        return (
            select(matched.c.id, func.count().over().label("total"))
            .order_by(*_order(sort, matched.c.key, matched.c.id))
            .limit(limit)
            .offset(offset)
        )


def _order(sort: str, key: Any, ident: Any) -> list[Any]:
    """ORDER BY for ``sort`` on ``key`` then ``ident``; NULLs last where a key can be NULL."""
    descending = sort.startswith("-")
    ordered = key.desc() if descending else key.asc()
    if sort.lstrip("-") not in _NOT_NULL_SORTS:
        ordered = ordered.nulls_last()
    return [ordered, ident.desc() if descending else ident.asc()]


def _lead_conditions(f: lead_store.LeadFilter) -> list[ColumnElement[bool]]:
    """The filters on the lead itself; conversation and assignment go through its contact id."""
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
        where.append(Lead.contact_id.in_(_latest_conversation_in(f.conversation_status)))
    if f.interest_min is not None:
        where.append(Lead.interest_level >= f.interest_min)
    if f.interest_max is not None:
        where.append(Lead.interest_level <= f.interest_max)
    if f.owner_id is not None:
        where.append(Lead.owner_id == f.owner_id)
    if f.assigned is True:
        where.append(_assigned())
    elif f.assigned is False:
        # a lead with an owner makes its contact assigned: the owner_id index finds the rest
        where += [Lead.owner_id.is_(None), not_(_assigned())]
    if f.received_from is not None:
        where.append(Lead.received_at >= f.received_from)
    if f.received_to is not None:
        where.append(Lead.received_at < f.received_to)
    return where


def _latest_conversation_in(statuses: tuple[str, ...]) -> Select[int]:
    """Contacts whose newest conversation has one of ``statuses``."""
    newer = aliased(ConversationRow)
    return select(ConversationRow.contact_id).where(
        ConversationRow.status.in_(statuses),
        ~exists().where(
            newer.contact_id == ConversationRow.contact_id, newer.id > ConversationRow.id
        ),
    )


def _assigned() -> ColumnElement[bool]:
    """``lead_store.is_assigned`` for the lead's contact, without joining the contact."""
    owned = exists().where(Inquiry.contact_id == Lead.contact_id, Inquiry.owner_id.is_not(None))
    offered = exists().where(
        Assignment.contact_id == Lead.contact_id,
        Assignment.state.in_(lead_store.OPEN_ASSIGNMENT),
    )
    return or_(owned, offered)


def _escaped(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _text_match(q: str, phone: str | None, *, postgres: bool) -> ColumnElement[bool]:
    """Name, e-mail or phone contains ``q`` (any case), or the phone is ``phone``.

    On PostgreSQL each column is matched with ILIKE, which its trigram index serves
    (``lower(x) LIKE`` is the same match, served by none). The full name matters only
    when ``q`` has a space: without one, a match in "first last" is a match in first
    or last. With one, the full name can match only if the longest run of ``q``
    without a space is in the first or the last name, which the index finds.
    """
    text = q.strip()
    pattern = _escaped(text)

    def contains(column: Any, like: str = pattern) -> ColumnElement[bool]:
        if postgres:
            return cast(ColumnElement[bool], column.ilike(like, escape="\\"))
        # SQLite's LIKE already ignores ASCII case, and its lower() folds nothing more
        return cast(ColumnElement[bool], column.like(like, escape="\\"))

    arms = [contains(c) for c in (Contact.first_name, Contact.last_name, Contact.email)]
    arms.append(Contact.phone.like(pattern, escape="\\"))  # E.164: no letters to fold
    if " " in text:
        full = func.lower(Contact.first_name + " " + Contact.last_name).like(pattern, escape="\\")
        word = _escaped(max(text.split(" "), key=len))
        guard = or_(contains(Contact.first_name, word), contains(Contact.last_name, word))
        arms.append(and_(guard, full))  # the cheap, indexed test first
    if phone:
        arms.append(Contact.phone == phone)
    return or_(*arms)


def unassigned_page(session: Session, *, limit: int, offset: int) -> UnassignedPage:
    """The coordinator's list of leads to assign, newest first."""
    total, rows = lead_store.unassigned(session, limit=limit, offset=offset)
    return UnassignedPage(
        total=total,
        items=[
            UnassignedRow(
                contact_id=c.id,
                first_name=c.first_name,
                last_name=c.last_name,
                phone=c.phone,
                latest_inquiry_at=latest,
                inquiries=count,
                conversation_status=status,
            )
            for c, latest, count, status in rows
        ],
    )


def detail(session: Session, contact: Contact) -> LeadDetail:
    """Everything about one contact the caller may see."""
    inquiries = list(
        session.scalars(
            select(Inquiry)
            .where(Inquiry.contact_id == contact.id)
            .order_by(Inquiry.received_at.desc(), Inquiry.id.desc())
        )
    )
    offered = session.scalars(
        select(Assignment).where(Assignment.contact_id == contact.id).order_by(Assignment.id)
    )
    consent = session.scalars(select(ConsentRecord).where(ConsentRecord.contact_id == contact.id))
    shares = session.scalars(select(Share.agent_id).where(Share.contact_id == contact.id))
    conv = session.scalar(
        select(ConversationRow)
        .where(ConversationRow.contact_id == contact.id)
        .order_by(ConversationRow.id.desc())
        .limit(1)
    )
    owners = [i.owner_id for i in inquiries if i.owner_id is not None]
    return LeadDetail(
        contact=_columns(contact, CONTACT_FIELDS),
        owner_id=owners[-1] if owners else None,  # the oldest inquiry's: the contact's owner
        inquiries=[_columns(i, tuple(c.key for c in Inquiry.__table__.columns)) for i in inquiries],
        assignments=[assignment_out(a) for a in offered],
        shared_with=list(shares),
        consent=[
            _columns(c, ("id", "source", "wording", "reference", "given_at")) for c in consent
        ],
        conversation=None
        if conv is None
        else {
            "id": conv.id,
            "script": f"{conv.script_name}@{conv.script_version}",
            "language": conv.language,
            "status": conv.status,
            "awaiting": conv.awaiting,
            "agent_id": conv.agent_id,
        },
    )
