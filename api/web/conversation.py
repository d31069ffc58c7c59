"""A lead's conversation: the thread with delivery status, slots and where each came from,
status and its history, outcomes, notes; take over, hand back, text, drip, campaign.

Who may see the lead is ``api.access.contact_for``; who may act is the JSON
routes' role rule; every change is a use case in ``api.services``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from adapters.storage.orm import AuditEntry, Campaign, ConversationRow, User
from api.access import contact_for
from api.container import Container
from api.deps import ContainerDep
from api.services import agents, assignments, held, outbox
from api.services.effects import LANGUAGE
from api.web import humane, presend
from api.web.errors import explain
from api.web.render import PREFIX, is_htmx, may, page
from api.web.session import PostDep, Session, SessionDep, same_rule
from isa_engine.errors import IsaError, PersonaRefused

router = APIRouter()
TEXT = "POST /conversations/{contact_id}/messages"
WORK = "POST /conversations/{contact_id}/notes"
ENROL = "POST /campaigns/{name}/enroll"
texter = same_rule(TEXT)
worker = same_rule(WORK)
coordinator = same_rule(ENROL)
HISTORY = (
    "conversation.",
    "contact.",
    "drip.",
    "suggestion.rejected",
    "lead.",
    "campaign.",
    "agent.alert",
)


def _history(container: Container, contact_id: int) -> list[dict[str, Any]]:
    with container.uow(read_only=True) as uow:
        rows = uow.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.subject_type == "contact", AuditEntry.subject_id == str(contact_id))
            .order_by(AuditEntry.at, AuditEntry.id)
        )
        return [
            {"action": a.action, "at": a.at, "actor_id": a.actor_id, "details": a.details}
            for a in rows
            if a.action.startswith(HISTORY)
        ]


def _thread(view: dict[str, Any], history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The texts, and beside them what was suggested but never sent (rejected, withdrawn),
    with why, and where the conversation changed language, in time order: the thread shows
    what the lead did not get, too."""
    unsent = [
        {
            "direction": "out",
            "body": s["text"],
            "sent_by": "not sent",
            "at": s["decided_at"] or s["created_at"],
            "status": s["state"],
            "note": s["reject_reason"],
        }
        for s in view["suggestions"]
        if s["state"] in ("rejected", "expired") and s["text"]
    ]
    switches = [
        {"direction": "event", "body": h["details"].get("reason", ""), "at": h["at"]}
        for h in history
        if h["action"] == LANGUAGE
    ]
    return sorted([*view["messages"], *unsent, *switches], key=lambda m: m["at"])


def conversation_context(container: Container, session: Session, contact_id: int) -> dict[str, Any]:
    """Everything the page shows; 404 for a lead the user may not see."""
    with container.uow(read_only=True) as uow:
        contact = contact_for(uow, session.user, contact_id)
        view = agents.view(uow, contact)
        waits = held.held_texts(container, uow, contact, container.clock())
        broke = held.overridden(uow, [m["id"] for m in view["messages"]], contact.phone)
        for message in view["messages"]:
            if message["id"] in waits:  # queued: say why it has not gone (quiet hours, a cap)
                message["note"] = waits[message["id"]]
            elif message["id"] in broke:  # sent at night under rules/dev: say so
                message["note"] = broke[message["id"]]
        zone = humane.zone(contact)
        names = {u.id: u.name for u in uow.session.scalars(select(User))}
        campaigns = sorted(set(uow.session.scalars(select(Campaign.name))))
        conv = view["conversation"]
        row = uow.session.get(ConversationRow, conv["id"]) if conv is not None else None
        agent_first, agent_last = (row.agent_name, row.agent_last) if row else ("", None)
    user = session.user
    status = conv["status"] if conv is not None else None
    history = _history(container, contact_id)
    return {
        **view,
        "thread": _thread(view, history),
        "speaker": agents.speaker_for(user, status),
        "names": names,
        "history": history,
        "campaigns": campaigns,
        "agent_first": agent_first,
        "agent_last": agent_last,
        "lead_time": presend.check(
            "",
            phone=view["contact"]["phone"],
            agent_first="",
            agent_last=None,
            now=container.clock(),
        ).lead_time,
        "zone": zone,
        "now": container.clock(),
        "can_text": may(user, TEXT),
        "can_work": may(user, WORK),
        "can_enrol": may(user, ENROL),
    }


@router.get("/conversations/{contact_id}", response_class=HTMLResponse)
def conversation_page(
    contact_id: int, request: Request, container: ContainerDep, session: SessionDep
) -> HTMLResponse:
    """The whole page (``said``: what the last plain form post did)."""
    context = conversation_context(container, session, contact_id)
    said = request.query_params.get("said", "")[:300]
    return page(request, "conversation.html", session, flash=said, **context)


@router.get("/conversations/{contact_id}/body", response_class=HTMLResponse)
def conversation_fragment(
    contact_id: int, request: Request, container: ContainerDep, session: SessionDep
) -> HTMLResponse:
    """The live part of the page, for htmx to swap in when something changes."""
    context = conversation_context(container, session, contact_id)
    return page(request, "_conversation_body.html", session, **context)


@router.get("/conversations/{contact_id}/check", response_class=HTMLResponse)
def check_text(
    contact_id: int,
    request: Request,
    container: ContainerDep,
    session: SessionDep,
    text: str = "",
) -> HTMLResponse:
    """The composer's verdict while the agent types."""
    context = conversation_context(container, session, contact_id)
    now = container.clock()
    verdict = presend.check(
        text[:1600],
        phone=context["contact"]["phone"],
        agent_first=context["agent_first"],
        agent_last=context["agent_last"],
        now=now,
        quiet=presend.quiet_hours(container, contact_id, now) if text.strip() else None,
        speaker=context["speaker"],
    )
    return page(request, "_verdict.html", session, verdict=verdict, text=text)


def _act(
    request: Request,
    container: Container,
    session: Session,
    tasks: BackgroundTasks,
    contact_id: int,
    rule: Callable[[User], User],
    run: Callable[[User], tuple[str, tuple[int, ...]]],
) -> Response:
    """Check the role and visibility, run the use case, show the page again with what happened."""
    user = rule(session.user)
    with container.uow(read_only=True) as uow:
        contact_for(uow, user, contact_id)  # 404 before anything for a lead you cannot see
    flash, error = "", None
    reasons: tuple[str, ...] = ()
    try:
        flash, sent = run(user)
        if sent:
            tasks.add_task(outbox.deliver, container, sent)
    except (IsaError, HTTPException, LookupError) as exc:
        error, reasons = explain(exc)
    if not is_htmx(request):  # a plain form post (no script yet): see the page again
        said = urlencode({"said": error or flash})
        return RedirectResponse(f"{PREFIX}/conversations/{contact_id}?{said}", status_code=303)
    context = conversation_context(container, session, contact_id)
    return page(
        request,
        "_conversation_body.html",
        session,
        flash=flash,
        error=error,
        reasons=reasons,
        **context,
    )


def _turn(
    action: Literal["takeover", "handback"],
    contact_id: int,
    request: Request,
    container: Container,
    session: Session,
    tasks: BackgroundTasks,
) -> Response:
    def run(user: User) -> tuple[str, tuple[int, ...]]:
        result = agents.act(container, contact_id, user, action)
        said = "You have the conversation." if action == "takeover" else "Handed back."
        return said, result.outbound_ids

    return _act(request, container, session, tasks, contact_id, texter, run)


@router.post("/conversations/{contact_id}/takeover", response_class=HTMLResponse)
def take_over(
    contact_id: int,
    request: Request,
    container: ContainerDep,
    session: PostDep,
    tasks: BackgroundTasks,
) -> Response:
    """Take the conversation: the engine suggests nothing and forwards the lead's texts."""
    return _turn("takeover", contact_id, request, container, session, tasks)


@router.post("/conversations/{contact_id}/handback", response_class=HTMLResponse)
def hand_back(
    contact_id: int,
    request: Request,
    container: ContainerDep,
    session: PostDep,
    tasks: BackgroundTasks,
) -> Response:
    """Hand the conversation back: it resumes at the next empty slot."""
    return _turn("handback", contact_id, request, container, session, tasks)


@router.post("/conversations/{contact_id}/messages", response_class=HTMLResponse)
def send_text(
    contact_id: int,
    request: Request,
    container: ContainerDep,
    session: PostDep,
    tasks: BackgroundTasks,
    text: Annotated[str, Form(max_length=1600)],
) -> Response:
    """Text the lead: refused with reasons by the guard, else sent (or queued till quiet
    hours end, and the flash says when)."""

    def run(user: User) -> tuple[str, tuple[int, ...]]:
        context = conversation_context(container, session, contact_id)
        now = container.clock()
        verdict = presend.check(
            text,
            phone=context["contact"]["phone"],
            agent_first=context["agent_first"],
            agent_last=context["agent_last"],
            now=now,
            quiet=presend.quiet_hours(container, contact_id, now),
            speaker=context["speaker"],
        )
        if not text.strip():
            raise LookupError("Type a text first.")
        if not verdict.ok:
            raise PersonaRefused(text, verdict.reasons)
        result = agents.act(container, contact_id, user, "message", text.strip())
        said = f"Queued. {verdict.notice}" if verdict.notice else "Sent."
        return said, result.outbound_ids

    return _act(request, container, session, tasks, contact_id, texter, run)


@router.post("/conversations/{contact_id}/drip", response_class=HTMLResponse)
def drip(
    contact_id: int,
    request: Request,
    container: ContainerDep,
    session: PostDep,
    tasks: BackgroundTasks,
    action: Annotated[Literal["stop", "restart"], Form()],
) -> Response:
    """Stop or restart the lead's drip."""

    def run(user: User) -> tuple[str, tuple[int, ...]]:
        changed = agents.drip(container, contact_id, user, stop=action == "stop")
        verb = "stopped" if action == "stop" else "restarted"
        return f"Drip {verb} ({len(changed)} enrolment(s)).", ()

    return _act(request, container, session, tasks, contact_id, worker, run)


@router.post("/conversations/{contact_id}/notes", response_class=HTMLResponse)
def add_note(
    contact_id: int,
    request: Request,
    container: ContainerDep,
    session: PostDep,
    tasks: BackgroundTasks,
    body: Annotated[str, Form(min_length=1, max_length=10_000)],
) -> Response:
    """Add a note to the lead."""

    def run(user: User) -> tuple[str, tuple[int, ...]]:
        agents.add_note(container, contact_id, user, body.strip())
        return "Note added.", ()

    return _act(request, container, session, tasks, contact_id, worker, run)


@router.post("/conversations/{contact_id}/enrol", response_class=HTMLResponse)
def enrol(
    contact_id: int,
    request: Request,
    container: ContainerDep,
    session: PostDep,
    tasks: BackgroundTasks,
    campaign: Annotated[str, Form(min_length=1, max_length=60)],
) -> Response:
    """Add the lead to a drip campaign (consent first)."""

    def run(user: User) -> tuple[str, tuple[int, ...]]:
        with container.uow() as uow:
            out = assignments.enrol(container, uow, campaign, [contact_id], user)
        if out.refused:
            raise LookupError(f"Not enrolled: {out.refused[0].reason}")
        said = "already in" if out.already else "enrolled in"
        return f"The lead is {said} {out.campaign}.", ()

    return _act(request, container, session, tasks, contact_id, coordinator, run)
