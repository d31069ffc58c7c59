"""The ISA queue over HTTP: list pending suggestions, approve, edit and send, reject."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, HTTPException, Query
from pydantic import BaseModel, Field

from api.container import Container
from api.deps import ContainerDep, IdPath, UserDep
from api.routes.conversations import TurnOut
from api.services import outbox
from api.services import queue as isa_queue
from api.services.turns import TurnResult

router = APIRouter(prefix="/queue", tags=["queue"])

Isa = UserDep  # ISAs and admins (api/access.py)


class EditIn(BaseModel):
    """The text to send instead of the suggestion's."""

    text: str = Field(min_length=1, max_length=1600)


class RejectIn(BaseModel):
    """Why the suggestion must not go (shown with the conversation)."""

    reason: str = Field(min_length=1, max_length=300)


def _decided(container: Container, tasks: BackgroundTasks, result: TurnResult) -> TurnOut:
    out = TurnOut.of(result, container)  # before the send runs: says why it will wait
    tasks.add_task(outbox.deliver, container, result.outbound_ids)
    return out


@router.get("")
def pending(
    container: ContainerDep,
    _isa: Isa,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    escalated: bool = False,
) -> dict[str, Any]:
    """Suggestions waiting for a decision, oldest first, with the lead's context and why."""
    with container.uow(read_only=True) as uow:
        page = isa_queue.list_pending(
            container, uow, limit=limit, offset=offset, escalated_only=escalated
        )
    return {
        "items": page.items,
        "total": page.total,
        "escalated": page.escalated,
        "limit": limit,
        "offset": offset,
    }


@router.post("/{suggestion_id}/approve")
def approve(
    suggestion_id: IdPath, container: ContainerDep, isa: Isa, tasks: BackgroundTasks
) -> TurnOut:
    """Send the suggestion as it is (409 if the lead is dead or already answered it)."""
    try:
        return _decided(container, tasks, isa_queue.approve(container, suggestion_id, isa))
    except isa_queue.NotFound as exc:
        raise HTTPException(404, str(exc)) from None


@router.post("/{suggestion_id}/edit")
def edit(
    suggestion_id: IdPath, body: EditIn, container: ContainerDep, isa: Isa, tasks: BackgroundTasks
) -> TurnOut:
    """Send your wording instead; it passes the persona guard or 422 lists the reasons."""
    try:
        result = isa_queue.approve(container, suggestion_id, isa, text=body.text)
    except isa_queue.NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    return _decided(container, tasks, result)


@router.post("/{suggestion_id}/reject", status_code=204)
def reject(suggestion_id: IdPath, body: RejectIn, container: ContainerDep, isa: Isa) -> None:
    """Drop the suggestion, with the reason."""
    try:
        isa_queue.reject(container, suggestion_id, isa, body.reason)
    except isa_queue.NotFound as exc:
        raise HTTPException(404, str(exc)) from None
