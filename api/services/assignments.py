"""Seed 002: a coordinator offers a lead to an agent, who accepts or rejects it; owners share;
coordinators enrol selected leads in a drip campaign (consent first, COMPLIANCE.md #9).

Each use case checks, changes, writes its audit entry and commits.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import HTTPException
from pydantic import BaseModel
from sqlalchemy import exists, select, update

from adapters.storage import audit
from adapters.storage.jobs import ASSIGNED
from adapters.storage.leads import OPEN_ASSIGNMENT
from adapters.storage.orm import (
    Assignment,
    ConsentRecord,
    Contact,
    ConversationRow,
    Enrollment,
    Inquiry,
    Share,
    User,
)
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork
from adapters.storage.vocab import AssignmentState, EnrollmentState, Role
from api.access import contact_for
from api.container import Container
from api.services import drip, routing
from api.services.leads import check_agent
from isa_engine.errors import NotAllowed


class AssignmentOut(BaseModel):
    """A lead offered to an agent, and what became of it."""

    id: int
    contact_id: int
    agent_id: int
    assigned_by_id: int | None
    state: str
    reject_reason: str | None
    rule: str | None = None  # the routing rule that offered it; None: a coordinator did


class Refused(BaseModel):
    """A contact that was not enrolled, and why."""

    contact_id: int
    reason: str


class EnrolOut(BaseModel):
    """What a mass enrolment did: who is in, who was already, who was refused and why."""

    campaign: str
    enrolled: list[int]
    already: list[int]
    refused: list[Refused]


def assignment_out(row: Assignment) -> AssignmentOut:
    """The API's view of an assignment row."""
    return AssignmentOut(
        id=row.id,
        contact_id=row.contact_id,
        agent_id=row.agent_id,
        assigned_by_id=row.assigned_by_id,
        state=row.state,
        reject_reason=row.reject_reason,
        rule=row.rule,
    )


def assign(
    container: Container,
    uow: SqlAlchemyUnitOfWork,
    contact_id: int,
    agent_id: int,
    coordinator: User,
) -> AssignmentOut:
    """Offer the lead to an agent; refused while it is offered to, or owned by, someone."""
    contact = contact_for(uow, coordinator, contact_id)
    check_agent(uow, agent_id, field="agent_id")
    taken = uow.session.scalar(
        select(Assignment)
        .where(Assignment.contact_id == contact.id, Assignment.state.in_(OPEN_ASSIGNMENT))
        .limit(1)
    )
    if taken is not None:
        raise NotAllowed(
            f"lead {contact.id} is already {taken.state} to agent "
            f"{taken.agent_id} (assignment {taken.id}); it must be rejected first"
        )
    owner = uow.session.scalar(
        select(Inquiry.owner_id)
        .where(Inquiry.contact_id == contact.id, Inquiry.owner_id.is_not(None))
        .limit(1)
    )
    if owner is not None:
        raise NotAllowed(f"lead {contact.id} is owned by agent {owner}: the owner can share it")
    now = container.clock()
    row = Assignment(
        contact_id=contact.id,
        agent_id=agent_id,
        assigned_by_id=coordinator.id,
        state=AssignmentState.OFFERED,
        offered_at=now,
    )
    uow.session.add(row)
    uow.session.flush()
    uow.jobs.add(ASSIGNED, now, {"assignment_id": row.id}, at=now)  # the agent's e-mail (seed 002)
    audit.record(
        uow.session,
        actor_id=coordinator.id,
        action="lead.assign",
        subject=("contact", contact.id),
        at=now,
        assignment_id=row.id,
        agent_id=agent_id,
    )
    uow.commit()
    return assignment_out(row)


def decide(
    container: Container,
    uow: SqlAlchemyUnitOfWork,
    assignment_id: int,
    agent: User,
    *,
    accept: bool,
    reason: str | None = None,
) -> AssignmentOut:
    """The offered agent accepts (becoming the owner of the lead's inquiries) or rejects it."""
    row = uow.session.get(Assignment, assignment_id, with_for_update=True)
    if row is None or row.agent_id != agent.id:
        raise HTTPException(404, f"no assignment {assignment_id} offered to you")
    if row.state != AssignmentState.OFFERED:
        raise NotAllowed(f"assignment {assignment_id} was {row.state} already")
    now = container.clock()
    row.state = AssignmentState.ACCEPTED if accept else AssignmentState.REJECTED
    row.decided_at, row.reject_reason = now, None if accept else reason
    if accept:  # one owner: the lead's inquiries and its conversation (texts, alerts) are theirs
        uow.session.execute(
            update(Inquiry).where(Inquiry.contact_id == row.contact_id).values(owner_id=agent.id)
        )
        _conversation_to(uow, row.contact_id, agent)
    audit.record(
        uow.session,
        actor_id=agent.id,
        action="lead.accept" if accept else "lead.reject",
        subject=("contact", row.contact_id),
        at=now,
        assignment_id=row.id,
        reason=reason,
    )
    if not accept:
        uow.session.flush()
        routing.route_after(container, uow, row)  # the next agent, or the pond
    uow.commit()
    return assignment_out(row)


def _conversation_to(uow: SqlAlchemyUnitOfWork, contact_id: int, agent: User) -> None:
    """The contact's conversation is the owner's from now: outcomes and alerts go to them, and
    a conversation begun before anyone owned the lead names them from its next text on."""
    conv = uow.session.scalar(
        select(ConversationRow)
        .where(ConversationRow.contact_id == contact_id)
        .order_by(ConversationRow.id.desc())
        .limit(1)
        .with_for_update()
    )
    if conv is None:
        return
    if conv.agent_id is None:
        conv.agent_name = agent.first_name or (agent.name.split() or ["your agent"])[0]
        conv.agent_last = agent.last_name
    conv.agent_id = agent.id


def mine(
    uow: SqlAlchemyUnitOfWork, agent: User, state: AssignmentState | None
) -> list[AssignmentOut]:
    """The agent's assignments, newest first (seed 002's Unaccepted Leads List when offered)."""
    query = select(Assignment).where(Assignment.agent_id == agent.id)
    if state is not None:
        query = query.where(Assignment.state == state)
    rows = uow.session.scalars(query.order_by(Assignment.offered_at.desc(), Assignment.id.desc()))
    return [assignment_out(r) for r in rows]


def share(
    container: Container, uow: SqlAlchemyUnitOfWork, contact_id: int, agent_id: int, user: User
) -> int:
    """The owner (or a coordinator) shares the lead with another agent; the share's id."""
    contact = contact_for(uow, user, contact_id)
    if Role(user.role) not in (Role.ADMIN, Role.COORDINATOR) and not uow.session.scalar(
        select(exists().where(Inquiry.contact_id == contact.id, Inquiry.owner_id == user.id))
    ):
        raise NotAllowed(f"only the owner of lead {contact.id} or a coordinator can share it")
    check_agent(uow, agent_id, field="agent_id")
    found = uow.session.scalar(
        select(Share).where(Share.contact_id == contact.id, Share.agent_id == agent_id)
    )
    if found is not None:
        return found.id
    now = container.clock()
    row = Share(contact_id=contact.id, agent_id=agent_id, shared_by_id=user.id, created_at=now)
    uow.session.add(row)
    uow.session.flush()
    audit.record(
        uow.session,
        actor_id=user.id,
        action="lead.share",
        subject=("contact", contact.id),
        at=now,
        agent_id=agent_id,
    )
    uow.commit()
    return row.id


def _conversation_id(uow: SqlAlchemyUnitOfWork, contact_id: int) -> int | None:
    return uow.session.scalar(
        select(ConversationRow.id)
        .where(ConversationRow.contact_id == contact_id)
        .order_by(ConversationRow.id.desc())
        .limit(1)
    )


def enrol(
    container: Container,
    uow: SqlAlchemyUnitOfWork,
    campaign_name: str,
    contact_ids: Sequence[int],
    actor: User,
) -> EnrolOut:
    """Enrol each contact that has a consent record and is not dead; list the others, why."""
    # the file's latest version (UnknownScript, a 404, names the known ones); its row
    now = container.clock()
    campaign = drip.campaign_row(uow, drip.campaigns_of(container).get(campaign_name), now)
    wanted = list(dict.fromkeys(contact_ids))
    contacts = {c.id: c for c in uow.session.scalars(select(Contact).where(Contact.id.in_(wanted)))}
    consented = set(
        uow.session.scalars(
            select(ConsentRecord.contact_id).where(ConsentRecord.contact_id.in_(wanted))
        )
    )
    enrolled_already = set(
        uow.session.scalars(
            select(Enrollment.contact_id).where(
                Enrollment.campaign_id == campaign.id, Enrollment.contact_id.in_(wanted)
            )
        )
    )
    out = EnrolOut(
        campaign=f"{campaign.name}@{campaign.version}", enrolled=[], already=[], refused=[]
    )
    for ident in wanted:
        contact = contacts.get(ident)
        if contact is None:
            out.refused.append(Refused(contact_id=ident, reason="no such lead"))
        elif contact.dead:
            out.refused.append(
                Refused(
                    contact_id=ident, reason=f"dead ({contact.dead_reason}): never texted again"
                )
            )
        elif ident not in consented:
            out.refused.append(
                Refused(
                    contact_id=ident,
                    reason=("no consent record: a drip needs prior express written consent"),
                )
            )
        elif ident in enrolled_already:
            out.already.append(ident)
        else:
            enrolment = Enrollment(
                contact_id=ident,
                campaign_id=campaign.id,
                state=EnrollmentState.ACTIVE,
                enrolled_at=now,
            )
            uow.session.add(enrolment)
            uow.session.flush()
            drip.resume(container, uow, enrolment, contact, _conversation_id(uow, ident))
            out.enrolled.append(ident)
    audit.record(
        uow.session,
        actor_id=actor.id,
        action="campaign.enrol",
        subject=("campaign", out.campaign),
        at=now,
        enrolled=out.enrolled,
        refused=[r.contact_id for r in out.refused],
    )
    uow.commit()
    return out
