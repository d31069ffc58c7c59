"""Routing on intake and on reject: the rules (``isa_engine.routing``) decide, offers are made
here as the coordinator's would be (seed 002), with a durable timer each.

A lead the rules send to an agent or a group is offered (an ``Assignment`` naming the rule),
the agent is e-mailed (the ``assigned`` job) and an ``offer_timeout`` job is written in the
same transaction. An offer rejected, or not accepted in the rule's time, goes to the next
agent of the group; after the rule's ``tries`` offers, or when nobody is available, the lead
goes to the pond (nobody: the coordinators' unassigned list) and the coordinators are
e-mailed. Every step is an audit entry. No routing file configured: no routing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from adapters.storage import audit
from adapters.storage.jobs import ASSIGNED
from adapters.storage.leads import OPEN_ASSIGNMENT
from adapters.storage.orm import Assignment, Contact, Inquiry, RoutingCursor, User
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork
from adapters.storage.vocab import AssignmentState, Role
from api.container import Container
from api.services.effects import ALERT_MAIL
from api.services.worker import ClaimedJob, PermanentJobError
from isa_engine.routing import Lead, Routing, Rule, pick

OFFER_TIMEOUT = "offer_timeout"
"""Job: an offer not accepted by now goes to the next agent (payload ``{"assignment_id"}``)."""
POND = "pond"


def routing_of(container: Container) -> Routing | None:
    """The routing rules in force, or None when none are configured."""
    found = container.extras.get("routing")
    return found if isinstance(found, Routing) else None


def active_agents(uow: SqlAlchemyUnitOfWork) -> dict[str, User]:
    """Every active agent, by lower-case e-mail."""
    rows = uow.session.scalars(select(User).where(User.role == Role.AGENT, User.active.is_(True)))
    return {u.email.lower(): u for u in rows}


def lead_of(inquiry: Inquiry, contact: Contact) -> Lead:
    """What the rules look at: the inquiry's fields, and what its form said besides."""
    raw: dict[str, Any] = inquiry.raw or {}
    price = raw.get("price")
    language = raw.get("language")
    return Lead(
        source=inquiry.source,
        inquiry_type=inquiry.inquiry_type,
        zip=inquiry.property_zip or contact.zip,
        city=raw.get("city") if isinstance(raw.get("city"), str) else None,
        price=price if isinstance(price, int) else None,
        language=language if isinstance(language, str) else None,
    )


def is_held(uow: SqlAlchemyUnitOfWork, contact_id: int) -> bool:
    """Whether an agent owns the contact or has it on offer (routing leaves it alone)."""
    owned = uow.session.scalar(
        select(Inquiry.id)
        .where(Inquiry.contact_id == contact_id, Inquiry.owner_id.is_not(None))
        .limit(1)
    )
    offered = uow.session.scalar(
        select(Assignment.id)
        .where(Assignment.contact_id == contact_id, Assignment.state.in_(OPEN_ASSIGNMENT))
        .limit(1)
    )
    return owned is not None or offered is not None


def route_intake(
    container: Container, uow: SqlAlchemyUnitOfWork, contact: Contact, inquiry: Inquiry
) -> str | None:
    """Route a lead nobody holds by the rules; what became of it ("offered to …", "pond"),
    or None when routing is off or someone holds it. The caller commits."""
    routing = routing_of(container)
    if routing is None or is_held(uow, contact.id):
        return None
    now = container.clock()
    rule = routing.rule_for(lead_of(inquiry, contact), now)
    return _offer_or_pond(container, uow, routing, rule, contact.id, inquiry.id, now, tried=[])


def route_after(container: Container, uow: SqlAlchemyUnitOfWork, ended: Assignment) -> str | None:
    """An offer was rejected or ran out: the next agent, or the pond. The caller commits."""
    routing = routing_of(container)
    if routing is None or is_held(uow, ended.contact_id):
        return None
    now = container.clock()
    rule = next((r for r in routing.rules if r.name == ended.rule), None)
    if rule is None:  # a manual offer, or its rule is gone: the rules decide afresh
        inquiry = _latest_inquiry(uow, ended.contact_id)
        contact = uow.session.get(Contact, ended.contact_id)
        if inquiry is None or contact is None:
            return None
        rule = routing.rule_for(lead_of(inquiry, contact), now)
    tried = list(
        uow.session.scalars(
            select(Assignment)
            .where(
                Assignment.contact_id == ended.contact_id,
                Assignment.state == AssignmentState.REJECTED,
            )
            .order_by(Assignment.id)
        )
    )
    return _offer_or_pond(
        container, uow, routing, rule, ended.contact_id, ended.inquiry_id, now, tried=tried
    )


def _latest_inquiry(uow: SqlAlchemyUnitOfWork, contact_id: int) -> Inquiry | None:
    return uow.session.scalar(
        select(Inquiry)
        .where(Inquiry.contact_id == contact_id)
        .order_by(Inquiry.received_at.desc(), Inquiry.id.desc())
        .limit(1)
    )


def _offer_or_pond(
    container: Container,
    uow: SqlAlchemyUnitOfWork,
    routing: Routing,
    rule: Rule | None,
    contact_id: int,
    inquiry_id: int | None,
    now: datetime,
    *,
    tried: list[Assignment],
) -> str:
    if rule is None:
        return _pond(container, uow, contact_id, now, rule=None, why="no routing rule matched")
    tries = sum(1 for a in tried if a.rule == rule.name)
    if tries >= rule.tries:
        why = f"not accepted after {tries} offer{'s' if tries != 1 else ''}"
        return _pond(container, uow, contact_id, now, rule=rule.name, why=why)
    if rule.to_agent is None and rule.to_group is None:
        return _pond(container, uow, contact_id, now, rule=rule.name, why=f"rule {rule.name!r}")
    agents = active_agents(uow)
    tried_ids = {a.agent_id for a in tried}
    unavailable = {e for e, u in agents.items() if u.away or u.id in tried_ids}
    chosen: str | None = None
    if rule.to_agent is not None:
        chosen = rule.to_agent if rule.to_agent in agents.keys() - unavailable else None
    elif rule.to_group is not None:
        chosen = _next_of_group(uow, routing, rule.to_group, agents, unavailable)
    if chosen is None:
        why = f"rule {rule.name!r}: no agent available (away, at their cap, or already offered)"
        return _pond(container, uow, contact_id, now, rule=rule.name, why=why)
    return _offer(container, uow, rule, contact_id, inquiry_id, agents[chosen], now)


def _next_of_group(
    uow: SqlAlchemyUnitOfWork,
    routing: Routing,
    name: str,
    agents: dict[str, User],
    unavailable: set[str],
) -> str | None:
    group = routing.groups[name]
    cursor = _cursor(uow, name)
    rows = uow.session.execute(
        select(User.email, func.count(Assignment.id))
        .join(Assignment, Assignment.agent_id == User.id)
        .where(Assignment.state == AssignmentState.OFFERED)
        .group_by(User.email)
    )
    open_offers = {str(email).lower(): int(n) for email, n in rows}
    missing = {m.agent for m in group.members if m.agent not in agents}
    chosen = pick(
        group, cursor.position, unavailable=unavailable | missing, open_offers=open_offers
    )
    if chosen is None:
        return None
    cursor.position = chosen.position
    return chosen.agent


def _cursor(uow: SqlAlchemyUnitOfWork, name: str) -> RoutingCursor:
    """The group's round-robin row, made if new and locked: two leads routed at once to one
    group take turns one after the other (PostgreSQL's row lock; SQLite has one writer)."""
    insert = pg_insert if uow.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    uow.session.execute(
        insert(RoutingCursor).values(group_name=name, position=0).on_conflict_do_nothing()
    )
    cursor = uow.session.get(RoutingCursor, name, with_for_update=True, populate_existing=True)
    assert cursor is not None  # inserted above, never deleted
    return cursor


def _offer(
    container: Container,
    uow: SqlAlchemyUnitOfWork,
    rule: Rule,
    contact_id: int,
    inquiry_id: int | None,
    agent: User,
    now: datetime,
) -> str:
    row = Assignment(
        contact_id=contact_id,
        inquiry_id=inquiry_id,
        agent_id=agent.id,
        assigned_by_id=None,
        state=AssignmentState.OFFERED,
        offered_at=now,
        rule=rule.name,
        route_group=rule.to_group,
    )
    uow.session.add(row)
    uow.session.flush()
    uow.jobs.add(ASSIGNED, now, {"assignment_id": row.id}, at=now)  # the agent's e-mail
    uow.jobs.add(OFFER_TIMEOUT, now + rule.timeout, {"assignment_id": row.id}, at=now)
    audit.record(
        uow.session,
        actor_id=None,
        action="lead.route",
        subject=("contact", contact_id),
        at=now,
        rule=rule.name,
        group=rule.to_group,
        assignment_id=row.id,
        agent_id=agent.id,
        expires_at=(now + rule.timeout).isoformat(),
    )
    return f"offered to {agent.name} by rule {rule.name!r}"


def _pond(
    container: Container,
    uow: SqlAlchemyUnitOfWork,
    contact_id: int,
    now: datetime,
    *,
    rule: str | None,
    why: str,
) -> str:
    audit.record(
        uow.session,
        actor_id=None,
        action="lead.pond",
        subject=("contact", contact_id),
        at=now,
        rule=rule,
        reason=why,
    )
    coordinators = uow.session.scalars(
        select(User.id).where(User.role == Role.COORDINATOR, User.active.is_(True))
    )
    for coordinator_id in coordinators:  # the coordinators hear of it now, by e-mail
        payload = {
            "contact_id": contact_id,
            "agent_id": coordinator_id,
            "reason": "lead in the pond",
            "text": f"Nobody has this lead: {why}. It is on the unassigned list.",
            "at": now.isoformat(),
        }
        uow.jobs.add(ALERT_MAIL, now, payload, at=now)
    return f"{POND}: {why}"


def run_offer_timeout_job(container: Container, job: ClaimedJob) -> datetime | None:
    """An offer still open when its time is up is taken back and goes to the next agent."""
    assignment_id = job.payload.get("assignment_id")
    if not isinstance(assignment_id, int):
        raise PermanentJobError(f"offer-timeout job {job.id}: bad payload {job.payload!r}")
    with container.uow() as uow:
        row = uow.session.get(Assignment, assignment_id, with_for_update=True)
        if row is None or row.state is not AssignmentState.OFFERED:
            return None  # accepted or rejected meanwhile
        now = container.clock()
        minutes = int((now - row.offered_at).total_seconds() // 60)
        row.state, row.decided_at = AssignmentState.REJECTED, now
        row.reject_reason = f"not accepted within {minutes} minutes"
        audit.record(
            uow.session,
            actor_id=None,
            action="lead.offer_expired",
            subject=("contact", row.contact_id),
            at=now,
            assignment_id=row.id,
            agent_id=row.agent_id,
            rule=row.rule,
        )
        payload = {
            "contact_id": row.contact_id,
            "agent_id": row.agent_id,
            "reason": "lead offer taken back",
            "text": f"You did not accept this lead within {minutes} minutes: it went on.",
            "at": now.isoformat(),
        }
        uow.jobs.add(ALERT_MAIL, now, payload, at=now)
        uow.session.flush()
        route_after(container, uow, row)
        uow.commit()
    return None
