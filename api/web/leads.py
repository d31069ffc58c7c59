"""The Leads tab (seeds 001 and 002): search on every lead field with paging, a lead's summary
with all its inquiries, select many → assign to an agent or enrol in a campaign, CSV import.

Searching, reading, importing and assigning call the JSON routes' own
functions and services, so the console and ``/leads`` answer alike.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from adapters.storage import leads as lead_store
from adapters.storage.orm import Campaign, User
from adapters.storage.vocab import AssignmentState, LeadStatus, Priority, Role
from api.access import contact_for
from api.deps import ContainerDep
from api.routes import leads as lead_routes
from api.services import assignments, lead_views
from api.web.errors import explain
from api.web.render import page
from api.web.session import PostDep, Session, SessionDep, same_rule
from isa_engine.errors import IsaError
from isa_engine.model import Status

router = APIRouter()
coordinator = same_rule("POST /leads/{contact_id}/assign")
PAGE = 25
LISTS = (
    "lead_status",
    "contact_status",
    "contact_type",
    "source",
    "business_source",
    "inquiry_type",
    "priority",
    "time_frame",
    "conversation_status",
)
SCALARS = ("interest_min", "interest_max", "owner_id", "assigned", "received_from", "received_to")


def _agents(container: Any) -> list[User]:
    with container.uow(read_only=True) as uow:
        return list(
            uow.session.scalars(
                select(User).where(User.role == Role.AGENT, User.active).order_by(User.name)
            )
        )


def _choices(container: Any) -> dict[str, Any]:
    with container.uow(read_only=True) as uow:
        campaigns = sorted(set(uow.session.scalars(select(Campaign.name))))
    return {
        "agents": _agents(container),
        "campaigns": campaigns,
        "lead_statuses": [s.value for s in LeadStatus],
        "priorities": [p.value for p in Priority],
        "conversation_statuses": [s.value for s in Status],
        "sorts": sorted(lead_store.SORTS),
    }


def _filters(request: Request, container: Any) -> tuple[lead_store.LeadFilter, dict[str, Any]]:
    """The search form's fields (empty ones mean "any"), through the JSON API's own parser."""
    query = request.query_params
    chosen: dict[str, Any] = {}
    for name in LISTS:
        values = [v for v in query.getlist(name) if v.strip()]
        chosen[name] = values or None
    for name in SCALARS:
        chosen[name] = query.get(name) or None
    chosen["q"] = query.get("q") or None
    args = dict(chosen)
    try:
        for name in ("interest_min", "interest_max", "owner_id"):
            args[name] = int(args[name]) if args[name] is not None else None
    except ValueError:
        raise HTTPException(422, "interest and owner are whole numbers") from None
    if args["assigned"] is not None:
        args["assigned"] = args["assigned"] == "yes"
    return lead_routes.lead_filter(container, **args), chosen


@router.get("/leads", response_class=HTMLResponse)
def leads_page(
    request: Request, container: ContainerDep, session: SessionDep, page_no: int = 1
) -> HTMLResponse:
    """Search leads; agents see only their own or shared ones."""
    sort = request.query_params.get("sort") or "-received_at"
    if sort.lstrip("-") not in lead_store.SORTS:
        sort = "-received_at"
    error = None
    try:
        filters, chosen = _filters(request, container)
    except HTTPException as exc:
        error, _ = explain(exc)
        filters, chosen = lead_store.LeadFilter(), {}
    page_no = max(1, page_no)
    with container.uow(read_only=True) as uow:
        found = lead_routes.search_leads(
            uow, session.user, filters, sort=sort, limit=PAGE, offset=(page_no - 1) * PAGE
        )
    names = {u.id: u.name for u in _agents(container)}
    keep = [(k, v) for k, v in request.query_params.multi_items() if k != "page_no" and v]
    pages = max(1, -(-found.total // PAGE))
    return page(
        request,
        "leads.html",
        session,
        found=found,
        chosen=chosen,
        sort=sort,
        error=error,
        names=names,
        page_no=page_no,
        pages=pages,
        link=lambda n: "?" + urlencode([*keep, ("page_no", n)]),
        **_choices(container),
    )


def _selected(request_form: Any) -> list[int]:
    ids = []
    for raw in request_form.getlist("contact_id"):
        if str(raw).isdigit():
            ids.append(int(raw))
    return list(dict.fromkeys(ids))


@router.post("/leads/bulk", response_class=HTMLResponse)
async def bulk(request: Request, container: ContainerDep, session: PostDep) -> HTMLResponse:
    """Assign the selected leads to an agent, or enrol them in a campaign."""
    user = coordinator(session.user)
    form = await request.form()
    ids = _selected(form)
    action = form.get("action")
    done: list[str] = []
    problems: list[str] = []
    if not ids:
        problems.append("Select at least one lead first.")
    elif action == "assign":
        agent = str(form.get("agent_id") or "")
        for contact_id in ids:
            try:
                with container.uow() as uow:
                    assignments.assign(container, uow, contact_id, int(agent or 0), user)
                done.append(f"Lead {contact_id} offered to the agent.")
            except (IsaError, HTTPException, ValueError) as exc:
                problems.append(f"Lead {contact_id}: {explain(exc)[0]}")
    elif action == "enrol":
        name = str(form.get("campaign") or "")
        try:
            with container.uow() as uow:
                out = assignments.enrol(container, uow, name, ids, user)
            done.append(
                f"{len(out.enrolled)} enrolled in {out.campaign}, {len(out.already)} already."
            )
            problems += [f"Lead {r.contact_id}: {r.reason}" for r in out.refused]
        except (IsaError, HTTPException) as exc:
            problems.append(explain(exc)[0])
    return page(request, "bulk_done.html", session, done=done, problems=problems)


@router.get("/leads/import", response_class=HTMLResponse)
def import_form(request: Request, container: ContainerDep, session: SessionDep) -> HTMLResponse:
    """The CSV import form (coordinators)."""
    coordinator(session.user)
    return page(request, "import.html", session, report=None, **_choices(container))


@router.post("/leads/import", response_class=HTMLResponse)
def import_csv(
    request: Request,
    container: ContainerDep,
    session: PostDep,
    file: Annotated[UploadFile, File()],
    owner_id: Annotated[str, Form()] = "",
    script: Annotated[str, Form(max_length=60)] = "",
    start: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    """Import the file; show the counts and every rejected row with its line and reason."""
    user = coordinator(session.user)
    report, error = None, None
    try:
        report = lead_routes.import_leads(
            container,
            user,
            file,
            None,
            int(owner_id) if owner_id.isdigit() else None,
            script or None,
            start,
        )
    except (IsaError, HTTPException) as exc:
        error = explain(exc)[0]
    return page(request, "import.html", session, report=report, error=error, **_choices(container))


def _summary(container: Any, session: Session, contact_id: int) -> dict[str, Any]:
    with container.uow(read_only=True) as uow:
        lead = lead_views.detail(uow.session, contact_for(uow, session.user, contact_id))
    offered = [
        a
        for a in lead.assignments
        if a.agent_id == session.user.id and a.state == AssignmentState.OFFERED
    ]
    names = {u.id: u.name for u in _agents(container)}
    return {"lead": lead, "offered": offered, "names": names, "now": container.clock()}


@router.get("/leads/{contact_id}", response_class=HTMLResponse)
def lead_page(
    contact_id: int, request: Request, container: ContainerDep, session: SessionDep
) -> HTMLResponse:
    """A lead's summary: the contact, its several inquiries, assignments, consent."""
    context = _summary(container, session, contact_id)
    return page(request, "lead.html", session, **context, **_choices(container))


@router.post("/leads/{contact_id}/answer", response_class=HTMLResponse)
def answer_offer(
    contact_id: int,
    request: Request,
    container: ContainerDep,
    session: PostDep,
    assignment_id: Annotated[int, Form()],
    accept: Annotated[str, Form()],
    reason: Annotated[str, Form(max_length=300)] = "",
) -> HTMLResponse:
    """The offered agent accepts or rejects the lead."""
    flash, error = "", None
    try:
        with container.uow() as uow:
            assignments.decide(
                container,
                uow,
                assignment_id,
                session.user,
                accept=accept == "yes",
                reason=reason.strip() or "not for me",
            )
        flash = "Accepted: the lead is yours." if accept == "yes" else "Rejected."
    except (IsaError, HTTPException) as exc:
        error = explain(exc)[0]
    context = _summary(container, session, contact_id)
    return page(
        request, "lead.html", session, flash=flash, error=error, **context, **_choices(container)
    )
