"""Who may see which lead: an agent sees only the leads they own or that were shared with them."""

from __future__ import annotations

from fastapi import HTTPException
from sqlalchemy import ColumnElement, exists, or_, select

from adapters.storage.orm import Assignment, Contact, Inquiry, Share, User
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork
from adapters.storage.vocab import AssignmentState, Role

# Roles that work every lead (not only their own).
SEE_ALL = frozenset({Role.ADMIN, Role.COORDINATOR, Role.ISA})


def visible_contacts(user: User) -> ColumnElement[bool]:
    """A WHERE clause on Contact: true for the contacts ``user`` may see."""
    if Role(user.role) in SEE_ALL:
        return Contact.id.is_not(None)
    owned = exists().where(Inquiry.contact_id == Contact.id, Inquiry.owner_id == user.id)
    shared = exists().where(Share.contact_id == Contact.id, Share.agent_id == user.id)
    assigned = exists().where(
        Assignment.contact_id == Contact.id,
        Assignment.agent_id == user.id,
        Assignment.state.in_([AssignmentState.OFFERED, AssignmentState.ACCEPTED]),
    )
    return or_(owned, shared, assigned)


def contact_for(uow: SqlAlchemyUnitOfWork, user: User, contact_id: int) -> Contact:
    """The contact if ``user`` may see it; 404 otherwise (never reveals that it exists)."""
    found = uow.session.execute(
        select(Contact).where(Contact.id == contact_id, visible_contacts(user))
    ).scalar_one_or_none()
    if found is None:
        raise HTTPException(404, f"no lead {contact_id} that you can see")
    return found
