"""Leads (seeds 001 and 002): intake, CSV import, search, assignment, sharing, mass enrolment."""

from __future__ import annotations

import io
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from adapters.storage import leads as lead_store
from adapters.storage.columns import MAX_ID
from adapters.storage.repositories import to_e164
from adapters.storage.vocab import AssignmentState, LeadStatus, Priority
from api.access import contact_for, visible_contacts
from api.accounts import WEB_FORM_TOKEN
from api.deps import ContainerDep, IdPath, IdQuery, UowDep, UserDep
from api.services import assignments, csv_columns, csv_import, held, lead_views
from api.services.assignments import AssignmentOut, EnrolOut
from api.services.lead_views import LeadDetail, LeadPage, UnassignedPage
from api.services.leads import (
    Id,
    IntakeOut,
    IntakeReceipt,
    LeadIn,
    TextInput,
    check_agent,
    intake,
    no_nul,
    parse_when,
)
from isa_engine.model import Status

router = APIRouter(tags=["leads"])
Coordinator = UserDep  # api/access.py lets coordinators and admins through
__all__ = ["WEB_FORM_TOKEN", "router"]
MAX_UPLOAD = 64 * 1024 * 1024


class AgentIn(TextInput):
    """Which agent."""

    agent_id: Id


class RejectIn(TextInput):
    """Why the agent does not take the lead."""

    reason: str = Field(min_length=1, max_length=300)


class EnrolIn(TextInput):
    """The contacts to enrol."""

    contact_ids: list[Id] = Field(min_length=1, max_length=10_000)


class ImportOut(BaseModel):
    """The import's counts and every rejected row, with its line and reason."""

    summary: dict[str, Any]
    mapping: dict[str, str]
    rejected: list[dict[str, Any]]
    notes: list[str] = Field(default_factory=list, description="e.g. an owner not applied")


Words = list[str] | None


def lead_filter(
    container: ContainerDep,
    lead_status: Annotated[
        list[str] | None, Query(description="active or inactive, any case")
    ] = None,
    contact_status: Annotated[list[str] | None, Query()] = None,
    contact_type: Annotated[list[str] | None, Query()] = None,
    source: Annotated[list[str] | None, Query()] = None,
    business_source: Annotated[list[str] | None, Query()] = None,
    inquiry_type: Annotated[list[str] | None, Query()] = None,
    priority: Annotated[
        list[str] | None, Query(description="hot, warm, cold or dead, any case")
    ] = None,
    time_frame: Annotated[list[str] | None, Query()] = None,
    conversation_status: Annotated[
        list[str] | None, Query(description="a conversation status, any case")
    ] = None,
    interest_min: Annotated[int | None, Query(ge=0, le=5)] = None,
    interest_max: Annotated[int | None, Query(ge=0, le=5)] = None,
    owner_id: IdQuery = None,
    assigned: bool | None = None,
    received_from: Annotated[str | None, Query(description="ISO date or time")] = None,
    received_to: Annotated[str | None, Query(description="ISO date or time, excluded")] = None,
    q: Annotated[str | None, Query(max_length=200, description="name, phone or e-mail")] = None,
) -> lead_store.LeadFilter:
    """The search's filters from the query string (repeat a parameter for several values)."""
    texts = (
        contact_status,
        contact_type,
        source,
        business_source,
        inquiry_type,
        time_frame,
    )
    try:
        for values in (*texts, [q or ""]):
            for value in values or ():
                no_nul(value)
        lead_status = _one_of("lead_status", lead_status, LeadStatus)
        priority = _one_of("priority", priority, Priority)
        conversation_status = _one_of("conversation_status", conversation_status, Status)
    except ValueError as e:
        raise HTTPException(422, f"search: {e}") from None
    phone = None
    if q and sum(c.isdigit() for c in q) >= 7:
        try:
            phone = to_e164(q, container.settings.default_region)
        except ValueError:
            phone = None
    return lead_store.LeadFilter(
        lead_status=tuple(lead_status or ()),
        contact_status=tuple(contact_status or ()),
        contact_type=tuple(contact_type or ()),
        source=tuple(source or ()),
        business_source=tuple(business_source or ()),
        inquiry_type=tuple(inquiry_type or ()),
        priority=tuple(priority or ()),
        time_frame=tuple(time_frame or ()),
        conversation_status=tuple(conversation_status or ()),
        interest_min=interest_min,
        interest_max=interest_max,
        owner_id=owner_id,
        assigned=assigned,
        received_from=parse_when(received_from),
        received_to=parse_when(received_to),
        q=q or None,
        phone=phone,
    )


def _one_of(name: str, values: list[str] | None, allowed: type[StrEnum]) -> list[str]:
    """``values`` lower-cased; ValueError naming the parameter and its values otherwise."""
    lowered = [v.strip().lower() for v in values or ()]
    known = {a.value for a in allowed}
    for value in lowered:
        if value not in known:
            raise ValueError(f"{name}={value!r}: one of {', '.join(sorted(known))}")
    return lowered


_SORTS = "|".join(f"-?{k}" for k in lead_store.SORTS)


@router.get("/leads", response_model=LeadPage)
def search_leads(
    uow: UowDep,
    user: UserDep,
    filters: Annotated[lead_store.LeadFilter, Depends(lead_filter)],
    sort: Annotated[str, Query(pattern=f"^({_SORTS})$")] = "-received_at",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> LeadPage:
    """Search leads on any Leads-tab field; agents see only their own or shared ones."""
    return lead_views.search_page(
        uow.session, visible_contacts(user), filters, sort=sort, limit=limit, offset=offset
    )


@router.post(
    "/leads",
    response_model=IntakeOut,
    status_code=201,
    responses={
        202: {
            "model": IntakeReceipt,
            "description": "posted with a web-form token: received, and nothing more said",
        }
    },
)
def post_lead(
    request: Request,
    lead: LeadIn,
    uow: UowDep,
    container: ContainerDep,
    user: UserDep,
) -> IntakeOut | Response:
    """Take one web form or ad lead; the contact is deduplicated by phone, then e-mail.

    The owner of a known lead is not changed (only assignment does that: ``owner`` says
    so). A web-form token's lead is answered 202 ``{"status": "received"}`` whether the
    contact was new or known, and never changes who owns or sees a known contact.
    ``opening`` says "sent", "waiting for an ISA", or why it is held (quiet hours).
    """
    if request.state.intake_token:
        intake(container, uow, lead, actor_id=user.id, intake_token=True)
        return JSONResponse(IntakeReceipt().model_dump(), status_code=202)
    out = intake(container, uow, lead, actor_id=user.id)
    if out.opening == "sent":
        why = held.still_held(container, out.contact_id, container.clock())
        if why is not None:
            out = out.model_copy(update={"opening": why})
    return out


@router.post("/leads/import", response_model=ImportOut)
def import_leads(
    container: ContainerDep,
    user: Coordinator,
    file: Annotated[UploadFile, File(description="CSV, UTF-8, first line the headers")],
    map: Annotated[list[str] | None, Form(description="COLUMN=FIELD overrides")] = None,
    owner_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    script: Annotated[str | None, Form(max_length=60)] = None,
    start: Annotated[bool, Form()] = False,
) -> ImportOut:
    """Import a CSV of leads; the answer lists every rejected row with its line and reason."""
    data = file.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise HTTPException(413, f"a CSV upload is at most {MAX_UPLOAD // 2**20} MB: use the CLI")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise HTTPException(422, f"not UTF-8 (byte {e.start}): save the file as UTF-8") from None
    if owner_id is not None:
        with container.uow(read_only=True) as uow:
            check_agent(uow, owner_id, field="owner_id")
    try:
        headers, records = csv_import.read_csv(io.StringIO(text, newline=""))
        mapping = csv_columns.column_mapping(headers, map or ())
    except (csv_columns.MappingError, ValueError) as e:
        raise HTTPException(422, str(e)) from None
    importer = csv_import.Importer(
        container,
        mapping,
        actor_id=user.id,
        owner_id=owner_id,
        source_name=file.filename or "upload",
    )
    report = importer.run(records, headers)
    if start:
        importer.start_conversations(script)
    return ImportOut(
        summary=report.summary(),
        mapping=report.mapping,
        rejected=[{"line": r.line, "reason": r.reason, "phone": r.phone} for r in report.rejected],
        notes=report.notes(),
    )


@router.get("/leads/unassigned", response_model=UnassignedPage)
def unassigned_leads(
    uow: UowDep,
    _user: Coordinator,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> UnassignedPage:
    """Leads nobody owns or was offered, newest first: the coordinator's list to assign."""
    return lead_views.unassigned_page(uow.session, limit=limit, offset=offset)


@router.get("/leads/{contact_id}", response_model=LeadDetail)
def lead_detail(contact_id: IdPath, uow: UowDep, user: UserDep) -> LeadDetail:
    """A lead's contact with its inquiries, assignments, shares, consent and conversation."""
    return lead_views.detail(uow.session, contact_for(uow, user, contact_id))


@router.post("/leads/{contact_id}/assign", response_model=AssignmentOut, status_code=201)
def assign_lead(
    contact_id: IdPath, body: AgentIn, uow: UowDep, container: ContainerDep, user: Coordinator
) -> AssignmentOut:
    """Offer the lead to an agent, who accepts or rejects it."""
    return assignments.assign(container, uow, contact_id, body.agent_id, user)


@router.post("/leads/{contact_id}/share", status_code=201)
def share_lead(
    contact_id: IdPath, body: AgentIn, uow: UowDep, container: ContainerDep, user: UserDep
) -> dict[str, int]:
    """The owner (or a coordinator) shares the lead with another agent."""
    return {"share_id": assignments.share(container, uow, contact_id, body.agent_id, user)}


@router.get("/assignments", response_model=list[AssignmentOut])
def my_assignments(
    uow: UowDep, user: UserDep, state: AssignmentState | None = None
) -> list[AssignmentOut]:
    """Your assignments, newest first (``state=offered``: the leads waiting for your answer)."""
    return assignments.mine(uow, user, state)


@router.post("/assignments/{assignment_id}/accept", response_model=AssignmentOut)
def accept(
    assignment_id: IdPath, uow: UowDep, container: ContainerDep, user: UserDep
) -> AssignmentOut:
    """Accept a lead offered to you: you become its owner."""
    return assignments.decide(container, uow, assignment_id, user, accept=True)


@router.post("/assignments/{assignment_id}/reject", response_model=AssignmentOut)
def reject(
    assignment_id: IdPath, body: RejectIn, uow: UowDep, container: ContainerDep, user: UserDep
) -> AssignmentOut:
    """Reject a lead offered to you, saying why; it goes back to the unassigned list."""
    return assignments.decide(container, uow, assignment_id, user, accept=False, reason=body.reason)


@router.post("/campaigns/{name}/enroll", response_model=EnrolOut)
def enrol(
    name: Annotated[str, Path(max_length=60, pattern=r"^[^\x00]+$")],
    body: EnrolIn,
    uow: UowDep,
    container: ContainerDep,
    user: Coordinator,
) -> EnrolOut:
    """Enrol selected leads in a drip; those without consent, or dead, are refused and listed."""
    return assignments.enrol(container, uow, name, body.contact_ids, user)
