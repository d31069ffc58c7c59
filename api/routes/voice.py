"""``POST /voice/inbound``: a lead who calls the number they are texted from rings the agent.

Seed 000: "If the lead tries calling the number they're being texted from, it
will ring through the system and to your cell phone." Give Twilio
``<ISA_PUBLIC_URL>/voice/inbound`` as the number's "A call comes in" webhook
(HTTP POST). The signature is checked like ``/sms/inbound``; the answer is
TwiML that dials the owning agent's cell (the caller's own number shows, so
the agent knows who it is), or, for a caller we do not know or a lead with no
agent reachable, a polite message. Both cases sound alike to the caller, so
a call never reveals whether a number is in the system. Nothing is stored.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from twilio.twiml.voice_response import VoiceResponse  # type: ignore[import-untyped]

from adapters.storage.orm import ConversationRow, Inquiry, User
from adapters.storage.repositories import to_e164
from api.container import Container
from api.deps import ContainerDep
from api.services.webhook import WebhookRefused, check_form_type, verify

log = logging.getLogger("isa.voice")

router = APIRouter(prefix="/voice", tags=["twilio"])

NOBODY = (
    "Thanks for calling! Nobody can take your call right now. "
    "Please send a text to this number and we will get back to you soon."
)
RING_SECONDS = 25  # then Twilio ends the dial; the lead can text instead

_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        f: {"type": "string"}
                        for f in ("CallSid", "AccountSid", "From", "To", "CallStatus")
                    },
                    "required": ["CallSid", "From"],
                }
            }
        },
    }
}


@router.post(
    "/inbound",
    response_class=Response,
    responses={
        200: {"content": {"application/xml": {}}, "description": "TwiML: dial the agent, or say"},
        403: {"description": "not signed by Twilio, or the webhook is off"},
    },
    openapi_extra=_FORM,
)
async def inbound(request: Request, container: ContainerDep) -> Response:
    """A call to our number: ring the lead's agent, or say politely that nobody can answer."""
    try:
        check_form_type(request.headers.get("content-type"))  # before any parsing
        form = await request.form()
        params: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
        verify(container, "/voice/inbound", params, request.headers.get("X-Twilio-Signature"))
    except WebhookRefused as exc:
        raise HTTPException(exc.status, exc.detail) from None
    cell = await run_in_threadpool(agent_cell, container, params.get("From") or "")
    answer = VoiceResponse()
    if cell is None:
        answer.say(NOBODY)
        answer.hangup()
    else:
        answer.dial(cell, answer_on_bridge=True, timeout=RING_SECONDS)
    return Response(str(answer), media_type="application/xml")


def agent_cell(container: Container, caller: str) -> str | None:
    """The cell (E.164) of the agent who owns the calling lead; None when there is none."""
    region = container.settings.default_region
    try:
        phone = to_e164(caller, region)
    except ValueError:
        return None  # a withheld or malformed caller id
    with container.uow(read_only=True) as uow:
        contact = uow.contacts.get_by_phone(phone)
        if contact is None:
            return None
        # the owner of the newest owned inquiry; else the agent the conversation names
        owner_id = uow.session.scalar(
            select(Inquiry.owner_id)
            .where(Inquiry.contact_id == contact.id, Inquiry.owner_id.is_not(None))
            .order_by(Inquiry.received_at.desc(), Inquiry.id.desc())
            .limit(1)
        ) or uow.session.scalar(
            select(ConversationRow.agent_id)
            .where(ConversationRow.contact_id == contact.id)
            .order_by(ConversationRow.id.desc())
            .limit(1)
        )
        agent = uow.session.get(User, owner_id) if owner_id is not None else None
        if agent is None or not agent.active or not agent.cell_phone:
            return None
        raw = agent.cell_phone
    try:
        return to_e164(raw, region)
    except ValueError:
        log.warning("agent %s has a cell phone that cannot be dialled: %r", owner_id, raw)
        return None
