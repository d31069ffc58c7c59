"""What waits for a person when they sign in (seed 002's alerts): an agent's Unaccepted leads
(offered, not yet accepted or rejected) and a coordinator's Unassigned leads (ready to assign).

Sign-in lands there (``landing``) with an alert saying how many wait; "Not now"
goes on to the Leads tab, as the seed's Cancel does.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from adapters.storage.orm import Assignment, Contact, Inquiry, User
from adapters.storage.vocab import AssignmentState, Role
from api.container import Container
from api.deps import ContainerDep
from api.services import assignments, lead_views
from api.web.render import PREFIX, page
from api.web.session import SessionDep, same_rule

router = APIRouter()
agent_only = same_rule("POST /assignments/{assignment_id}/accept")
coordinator = same_rule("POST /leads/{contact_id}/assign")
PAGE = 25


def offers_waiting(container: Container, user: User) -> int:
    """How many leads are offered to ``user`` and not yet answered."""
    with container.uow(read_only=True) as uow:
        found = uow.session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.agent_id == user.id, Assignment.state == AssignmentState.OFFERED)
        )
    return int(found or 0)


def landing(container: Container, user: User) -> str:
    """The page ``user`` lands on after signing in: what waits for them, else their tab."""
    role = Role(user.role)
    if role == Role.COORDINATOR:
        return f"{PREFIX}/leads/unassigned"
    if role == Role.AGENT:
        waiting = offers_waiting(container, user)
        return f"{PREFIX}/leads/unaccepted" if waiting else f"{PREFIX}/leads"
    return f"{PREFIX}/{'scripts' if role == Role.AUTHOR else 'queue'}"


def _offered(container: Container, user: User) -> list[dict[str, Any]]:
    """The leads offered to ``user``, newest offer first, each with its latest inquiry."""
    with container.uow(read_only=True) as uow:
        offers = assignments.mine(uow, user, AssignmentState.OFFERED)
        rows = []
        for offer in offers:
            contact = uow.session.get(Contact, offer.contact_id)
            latest = uow.session.scalar(
                select(Inquiry)
                .where(Inquiry.contact_id == offer.contact_id)
                .order_by(Inquiry.received_at.desc(), Inquiry.id.desc())
                .limit(1)
            )
            if contact is not None:
                rows.append({"offer": offer, "contact": contact, "inquiry": latest})
        return rows


@router.get("/leads/unaccepted", response_class=HTMLResponse)
def unaccepted(request: Request, container: ContainerDep, session: SessionDep) -> HTMLResponse:
    """An agent's Unaccepted leads: open one to accept or reject it."""
    user = agent_only(session.user)
    return page(request, "unaccepted.html", session, rows=_offered(container, user))


@router.get("/leads/unassigned", response_class=HTMLResponse)
def unassigned(
    request: Request, container: ContainerDep, session: SessionDep, page_no: int = 1
) -> HTMLResponse:
    """A coordinator's Unassigned leads: select some and offer them to an agent."""
    coordinator(session.user)
    page_no = max(1, page_no)
    with container.uow(read_only=True) as uow:
        found = lead_views.unassigned_page(uow.session, limit=PAGE, offset=(page_no - 1) * PAGE)
        agents = list(
            uow.session.scalars(
                select(User).where(User.role == Role.AGENT, User.active).order_by(User.name)
            )
        )
    return page(
        request,
        "unassigned.html",
        session,
        found=found,
        agents=agents,
        page_no=page_no,
        pages=max(1, -(-found.total // PAGE)),
        link=lambda n: "?" + urlencode({"page_no": n}),
    )
