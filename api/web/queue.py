"""The ISA queue page: suggestions oldest-waiting first, each beside its conversation, why it
was suggested and the persona guard's verdict; approve, edit and send, reject.

Decisions go through ``api.services.queue`` (the JSON API's use cases); a
texts' delivery runs after the answer, as the JSON API does it.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from adapters.storage.orm import Contact, ConversationRow, Message, User
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork
from api.container import Container
from api.deps import ContainerDep
from api.services import held, outbox
from api.services import queue as isa_queue
from api.web.errors import explain
from api.web.render import PREFIX, is_htmx, page
from api.web.session import PostDep, SessionDep, same_rule
from isa_engine import persona
from isa_engine.errors import IsaError
from isa_engine.policy.zones import lead_now
from isa_engine.reading import read

router = APIRouter()
PAGE = 50
THREAD = 8  # the last texts shown beside a suggestion
isa_only = same_rule("GET /queue")


def _isa(session: SessionDep) -> SessionDep:
    isa_only(session.user)
    return session


IsaSession = Annotated[SessionDep, Depends(_isa)]


def _context(uow: SqlAlchemyUnitOfWork, item: dict[str, Any], now: Any) -> dict[str, Any]:
    """What an ISA reads beside one suggestion: the last texts, the guard, the intents."""
    contact_id = item["contact_id"]
    phone, agent_last = uow.session.execute(
        select(Contact.phone, ConversationRow.agent_last)
        .join(ConversationRow, ConversationRow.contact_id == Contact.id)
        .where(Contact.id == contact_id)
        .order_by(ConversationRow.id.desc())
        .limit(1)
    ).one()
    recent = list(
        uow.session.scalars(
            select(Message)
            .where(Message.contact_id == contact_id)
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(THREAD)
        )
    )
    verdict = persona.check(item["text"], item["agent_first_name"] or "", agent_last)
    intents: list[str] = []
    if item["inbound"]:
        reading = read(item["inbound"], None, lead_now(now, phone))
        intents = sorted(i.value for i in reading.intents)
    return {
        **item,
        "phone": phone,
        "thread": list(reversed(recent)),
        "verdict": verdict,
        "intents": intents,
    }


def queue_body(container: Container, selected: int | None) -> dict[str, Any]:
    """The queue's items with their context, and which one is selected."""
    now = container.clock()
    with container.uow(read_only=True) as uow:
        found = isa_queue.list_pending(container, uow, limit=PAGE, offset=0)
        items = [_context(uow, item, now) for item in found.items]
    ids = [i["id"] for i in items]
    return {
        "items": items,
        "total": found.total,
        "escalated": found.escalated,
        "selected": selected if selected in ids else (ids[0] if ids else None),
    }


@router.get("/queue", response_class=HTMLResponse)
def queue_page(
    request: Request, container: ContainerDep, session: IsaSession, s: int | None = None
) -> HTMLResponse:
    """The whole queue page (``said``: what the last plain form post did)."""
    said = request.query_params.get("said", "")[:300]
    return page(request, "queue.html", session, flash=said, **queue_body(container, s))


@router.get("/queue/body", response_class=HTMLResponse)
def queue_fragment(
    request: Request, container: ContainerDep, session: IsaSession, s: int | None = None
) -> HTMLResponse:
    """The list and the details, for htmx to swap in when texts arrive."""
    return page(request, "_queue_body.html", session, **queue_body(container, s))


def _after(
    request: Request,
    container: Container,
    session: SessionDep,
    tasks: BackgroundTasks,
    ids: tuple[int, ...] = (),
    *,
    flash: str,
    error: str | None = None,
    reasons: tuple[str, ...] = (),
    keep: int | None = None,
) -> Response:
    if ids:
        tasks.add_task(outbox.deliver, container, ids)
    if not is_htmx(request):  # a plain form post (no script yet): see the page again
        said = error or flash
        return RedirectResponse(f"{PREFIX}/queue?{urlencode({'said': said})}", status_code=303)
    context = queue_body(container, keep)
    return page(
        request,
        "_queue_body.html",
        session,
        status_code=200,
        flash=flash,
        error=error,
        reasons=reasons,
        **context,
    )


def _decide(
    request: Request,
    container: Container,
    session: SessionDep,
    tasks: BackgroundTasks,
    suggestion_id: int,
    user: User,
    text: str | None,
) -> Response:
    try:
        result = isa_queue.approve(container, suggestion_id, user, text=text)
    except (IsaError, HTTPException, isa_queue.NotFound) as exc:
        message, reasons = explain(exc)
        return _after(
            request,
            container,
            session,
            tasks,
            flash="",
            error=message,
            reasons=reasons,
            keep=suggestion_id,
        )
    said = "Edited and sent" if text is not None else "Approved"
    why = held.notes_for(container, result.contact_id, result.outbound_ids, container.clock())
    if why is not None:  # quiet hours or a cap: the flash says until when, not "sent"
        said = f"{'Edited' if text is not None else 'Approved'}, {why}"
    return _after(request, container, session, tasks, result.outbound_ids, flash=f"{said}.")


@router.post("/queue/{suggestion_id}/approve", response_class=HTMLResponse)
def approve(
    suggestion_id: int,
    request: Request,
    container: ContainerDep,
    session: PostDep,
    tasks: BackgroundTasks,
) -> Response:
    """Send the suggestion as it is."""
    user = isa_only(session.user)
    return _decide(request, container, session, tasks, suggestion_id, user, None)


@router.post("/queue/{suggestion_id}/edit", response_class=HTMLResponse)
def edit(
    suggestion_id: int,
    request: Request,
    container: ContainerDep,
    session: PostDep,
    tasks: BackgroundTasks,
    text: Annotated[str, Form(min_length=1, max_length=1600)],
) -> Response:
    """Send the ISA's wording instead; the guard may refuse it, with reasons."""
    user = isa_only(session.user)
    return _decide(request, container, session, tasks, suggestion_id, user, text.strip())


@router.post("/queue/{suggestion_id}/reject", response_class=HTMLResponse)
def reject(
    suggestion_id: int,
    request: Request,
    container: ContainerDep,
    session: PostDep,
    tasks: BackgroundTasks,
    reason: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Drop the suggestion, with the reason (kept with the conversation)."""
    user = isa_only(session.user)
    try:
        result = isa_queue.reject(
            container, suggestion_id, user, reason.strip() or "rejected by the ISA"
        )
    except (IsaError, isa_queue.NotFound) as exc:
        message, _ = explain(exc)
        return _after(request, container, session, tasks, flash="", error=message)
    if result.suggestion_ids:  # the lead is still owed a reply: it waits, to be written
        return _after(
            request,
            container,
            session,
            tasks,
            flash="Rejected. The lead still needs a reply: write one.",
            keep=result.suggestion_ids[-1],
        )
    return _after(request, container, session, tasks, flash="Done: no reply is owed.")
