"""The read side of leads: search pages, the unassigned list, and one lead's detail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

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
    """One page of leads matching ``filters`` among those ``visible``, and the total."""
    total, rows = lead_store.search(
        session, visible, filters, sort=sort, limit=limit, offset=offset
    )
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
        for i, c, status in rows
    ]
    return LeadPage(total=total, limit=limit, offset=offset, items=items)


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
    inquiries = session.scalars(
        select(Inquiry)
        .where(Inquiry.contact_id == contact.id)
        .order_by(Inquiry.received_at.desc(), Inquiry.id.desc())
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
    return LeadDetail(
        contact=_columns(contact, CONTACT_FIELDS),
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
            "status": conv.status,
            "awaiting": conv.awaiting,
            "agent_id": conv.agent_id,
        },
    )
