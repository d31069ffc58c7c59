"""A lead's conversation for agents and ISAs: read it, take it over, hand it back, text,
stop or restart the drip, add notes; and the outcomes each agent is handed."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Header, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from adapters.storage.orm import Contact, OutcomeRow, User
from adapters.storage.vocab import Role
from api.access import contact_for
from api.container import Container
from api.deps import ContainerDep, IdPath, IdQuery, UserDep
from api.services import agents, held, outbox
from api.services.turns import TurnResult
from isa_engine.model import OutcomeKind

router = APIRouter(tags=["conversations"])

Texter = UserDep  # agents and ISAs (api/access.py TEXTER)
Worker = UserDep  # agents, ISAs, coordinators (api/access.py WORKER)


class TurnOut(BaseModel):
    """What an action did to the conversation."""

    contact_id: int
    conversation_id: int | None
    status: str | None
    outbound_ids: list[int]
    suggestion_ids: list[int]
    held: str | None = None  # why the texts do not go now: "held until 09:00 tomorrow (…)"

    @classmethod
    def of(cls, result: TurnResult, container: Container | None = None) -> TurnOut:
        """From the use case's result; with ``container``, says why its texts wait, if they do
        (quiet hours, a cap: the outbox's own decision, asked before it runs)."""
        why = None
        if container is not None and result.outbound_ids:
            why = held.notes_for(
                container, result.contact_id, result.outbound_ids, container.clock()
            )
        return cls(
            contact_id=result.contact_id,
            conversation_id=result.conversation_id,
            status=result.status,
            outbound_ids=list(result.outbound_ids),
            suggestion_ids=list(result.suggestion_ids),
            held=why,
        )


class TextIn(BaseModel):
    """A text a person typed."""

    text: str = Field(min_length=1, max_length=1600)


class DripIn(BaseModel):
    """Stop or restart the lead's drip."""

    action: Literal["stop", "restart"]


class CampaignIn(BaseModel):
    """Add the lead to a campaign, or take it out of one."""

    campaign: str = Field(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_-]*$")
    action: Literal["add", "remove"]


class NoteIn(BaseModel):
    """A note on the lead."""

    body: str = Field(min_length=1, max_length=10_000)


def visible(container: Container, user: User, contact_id: int) -> Contact:
    """The contact if ``user`` may see it, else 404; read in its own short transaction
    so no lock is held while the use case runs."""
    with container.uow(read_only=True) as uow:
        return contact_for(uow, user, contact_id)


def _sent(container: Container, tasks: BackgroundTasks, result: TurnResult) -> TurnOut:
    if result.outbound_ids:
        tasks.add_task(outbox.deliver, container, result.outbound_ids)
    return TurnOut.of(result, container)


@router.get("/conversations/{contact_id}")
def read_conversation(contact_id: IdPath, container: ContainerDep, user: UserDep) -> dict[str, Any]:
    """Status, slots with where each came from, the texts (a queued one with why it has not
    gone: ``held``), outcomes, alerts and notes."""
    with container.uow(read_only=True) as uow:
        contact = contact_for(uow, user, contact_id)
        view = agents.view(uow, contact)
        waits = held.held_texts(container, uow, contact, container.clock())
        broke = held.overridden(uow, [m["id"] for m in view["messages"]], contact.phone)
    for message in view["messages"]:
        if message["id"] in waits:
            message["held"] = waits[message["id"]]
        if message["id"] in broke:
            message["override"] = broke[message["id"]]
    return view


@router.post("/conversations/{contact_id}/takeover")
def take_over(
    contact_id: IdPath, container: ContainerDep, user: Texter, tasks: BackgroundTasks
) -> TurnOut:
    """Take the conversation: the engine suggests nothing and forwards the lead's texts."""
    visible(container, user, contact_id)
    return _sent(container, tasks, agents.act(container, contact_id, user, "takeover"))


@router.post("/conversations/{contact_id}/handback")
def hand_back(
    contact_id: IdPath, container: ContainerDep, user: Texter, tasks: BackgroundTasks
) -> TurnOut:
    """Hand the conversation back: it resumes at the next empty slot."""
    visible(container, user, contact_id)
    return _sent(container, tasks, agents.act(container, contact_id, user, "handback"))


@router.post("/conversations/{contact_id}/messages", status_code=201)
def send_text(
    contact_id: IdPath,
    body: TextIn,
    container: ContainerDep,
    user: Texter,
    tasks: BackgroundTasks,
    idempotency_key: Annotated[str | None, Header(max_length=80)] = None,
) -> TurnOut:
    """Text the lead yourself: persona guard (422 with reasons), never to the dead (409)."""
    visible(container, user, contact_id)
    result = agents.act(container, contact_id, user, "message", body.text, idempotency_key)
    return _sent(container, tasks, result)


@router.post("/conversations/{contact_id}/drip")
def drip(contact_id: IdPath, body: DripIn, container: ContainerDep, user: Worker) -> dict[str, Any]:
    """Stop or restart every drip enrolment of the lead (restart: 409 if the lead is dead)."""
    visible(container, user, contact_id)
    changed = agents.drip(container, contact_id, user, stop=body.action == "stop")
    return {"action": body.action, "enrollments": changed}


@router.post("/conversations/{contact_id}/campaigns")
def change_campaign(
    contact_id: IdPath, body: CampaignIn, container: ContainerDep, user: Worker
) -> dict[str, str]:
    """Add the lead to a long-term campaign (consent needed), or remove it from one."""
    visible(container, user, contact_id)
    add = body.action == "add"
    return {"result": agents.campaign(container, contact_id, user, body.campaign, add=add)}


@router.post("/conversations/{contact_id}/notes", status_code=201)
def add_note(
    contact_id: IdPath, body: NoteIn, container: ContainerDep, user: Worker
) -> dict[str, int]:
    """Add a note to the lead."""
    visible(container, user, contact_id)
    return {"id": agents.add_note(container, contact_id, user, body.body)}


@router.get("/outcomes")
def list_outcomes(
    container: ContainerDep,
    user: UserDep,
    agent_id: IdQuery = None,
    kind: OutcomeKind | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """Appointments, engagements and updates, newest first; an agent sees only their own."""
    if Role(user.role) is Role.AGENT:
        if agent_id not in (None, user.id):
            raise HTTPException(403, "agents see only their own outcomes")
        agent_id = user.id
    elif Role(user.role) not in (Role.ADMIN, Role.COORDINATOR, Role.ISA):
        raise HTTPException(403, f"outcomes are for agents, ISAs, coordinators; not {user.role}")
    query = select(OutcomeRow)
    if agent_id is not None:
        query = query.where(OutcomeRow.agent_id == agent_id)
    if kind is not None:
        query = query.where(OutcomeRow.kind == kind)
    with container.uow(read_only=True) as uow:
        rows = uow.session.scalars(
            query.order_by(OutcomeRow.created_at.desc(), OutcomeRow.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return {"items": [agents.outcome_out(o) for o in rows], "limit": limit, "offset": offset}
