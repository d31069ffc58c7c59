"""The simulated phone (``ISA_DEV_PHONE=true``): play a lead texting, without Twilio.

``POST /dev/sms`` runs the same path as Twilio's webhook (minus the signature,
with a made-up MessageSid); ``GET /dev/sms/{phone}`` shows what the lead's
phone would show; ``POST /dev/clock`` lets time pass. All answer 404 unless the
setting is on (which is refused together with Twilio).
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from adapters.storage.orm import Contact, ConversationRow, Message, Suggestion
from adapters.storage.repositories import to_e164
from adapters.storage.vocab import DeliveryStatus, Direction, SuggestionState
from api.container import Container
from api.deps import ContainerDep
from api.services import held, outbox
from api.services.dispatch import run_until
from api.services.turns import InboundText, receive_text
from isa_engine.script import parse_duration

ON_PHONE = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)
MAX_ADVANCE = timedelta(days=400)


def dev_only(container: ContainerDep) -> None:
    """404 unless the simulated phone is switched on."""
    if not container.settings.dev_phone:
        raise HTTPException(404, "the simulated phone is off: set ISA_DEV_PHONE=true")


router = APIRouter(prefix="/dev", tags=["simulated phone"], dependencies=[Depends(dev_only)])

_CLOCK = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"advance": {"type": "string", "example": "16m"}},
                    "required": ["advance"],
                }
            }
        },
    }
}
_SCHEMA = {
    "type": "object",
    "properties": {
        "from": {"type": "string", "example": "+15125550142"},
        "body": {"type": "string", "example": "3 bedrooms"},
    },
    "required": ["from", "body"],
}
_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": _SCHEMA},
            "application/x-www-form-urlencoded": {"schema": _SCHEMA},
        },
    }
}


async def _fields(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(await request.body() or b"null")
        except ValueError:
            raise HTTPException(400, "the body is not JSON") from None
        if not isinstance(data, dict):
            raise HTTPException(400, 'send {"from": "+1…", "body": "…"}')
        return data
    return dict((await request.form()).items())


@router.post("/sms", openapi_extra=_BODY)
async def lead_texts(request: Request, container: ContainerDep) -> dict[str, Any]:
    """The lead at ``from`` texts ``body``; the answer is their phone's thread after the turn."""
    data = await _fields(request)
    raw, body = data.get("from"), data.get("body")
    if not isinstance(raw, str) or not isinstance(body, str):
        raise HTTPException(400, "both 'from' (a phone number) and 'body' (text) are required")
    try:
        phone = to_e164(raw, container.settings.default_region)
    except ValueError as exc:
        raise HTTPException(400, f"from: {exc}") from None
    text = InboundText(sid="DEV" + uuid.uuid4().hex, phone=phone, body=body[:1600])
    result = await run_in_threadpool(receive_text, container, text)
    await run_in_threadpool(outbox.deliver, container, result.outbound_ids)
    return await run_in_threadpool(_thread, container, phone)


@router.post("/clock", openapi_extra=_CLOCK)
async def move_clock(request: Request, container: ContainerDep) -> dict[str, Any]:
    """Let ``advance`` pass ("16m", "9h", "1d"): every job due meanwhile runs at its time, so
    a lead goes cold, a held text leaves in the morning, a drip step comes, without waiting."""
    data = await _fields(request)
    move_to = getattr(container.clock, "advance_to", None)
    if move_to is None:  # pragma: no cover - create_app gives the dev phone a movable clock
        raise HTTPException(409, "this service's clock cannot be moved")
    try:
        delta = parse_duration(str(data.get("advance", "")))
    except ValueError as exc:
        raise HTTPException(400, f"advance: {exc}") from None
    if delta > MAX_ADVANCE:
        raise HTTPException(400, f"advance: at most {MAX_ADVANCE.days} days at a time")
    until = container.clock() + delta
    ran = await run_in_threadpool(run_until, container, until, move_to)
    return {"now": container.clock(), "jobs_run": ran}


@router.get("/sms/{phone}")
def phone_thread(phone: str, container: ContainerDep) -> dict[str, Any]:
    """What the lead's phone shows: their texts and ours that went out, oldest first."""
    try:
        e164 = to_e164(phone, container.settings.default_region)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    return _thread(container, e164)


def _thread(container: Container, phone: Annotated[str, "E.164"]) -> dict[str, Any]:
    with container.uow(read_only=True) as uow:
        contact = uow.session.scalar(select(Contact).where(Contact.phone == phone))
        if contact is None:
            return {
                "phone": phone,
                "contact_id": None,
                "status": None,
                "thread": [],
                "waiting_for_isa": 0,
                "held": [],
            }
        conv = uow.session.scalar(
            select(ConversationRow)
            .where(ConversationRow.contact_id == contact.id)
            .order_by(ConversationRow.id.desc())
            .limit(1)
        )
        messages = uow.session.scalars(
            select(Message)
            .where(
                Message.contact_id == contact.id,
                (Message.direction == Direction.IN) | Message.delivery_status.in_(ON_PHONE),
            )
            .order_by(func.coalesce(Message.sent_at, Message.created_at), Message.id)
        )
        shown = list(messages)
        broke = held.overridden(uow, [m.id for m in shown], phone)  # under rules/dev only
        thread = [
            {
                "from": "lead" if m.direction == Direction.IN else "assistant",
                "text": m.body,
                "at": m.sent_at or m.created_at,  # a text held overnight: when it left
                **({"override": broke[m.id]} if m.id in broke else {}),
            }
            for m in shown
        ]
        waiting = 0
        if conv is not None:
            waiting = (
                uow.session.scalar(
                    select(func.count())
                    .select_from(Suggestion)
                    .where(
                        Suggestion.conversation_id == conv.id,
                        Suggestion.state == SuggestionState.PENDING,
                    )
                )
                or 0
            )
        waits = held.held_texts(container, uow, contact, container.clock())
        rows = uow.session.execute(select(Message.id, Message.body).where(Message.id.in_(waits)))
        bodies = {ident: body for ident, body in rows}
        return {
            "phone": phone,
            "contact_id": contact.id,
            "status": conv.status if conv is not None else None,
            "dead": contact.dead,
            "thread": thread,
            "waiting_for_isa": int(waiting),
            # ours, not yet on the phone, and why: "held until 09:00 tomorrow (…)"
            "held": [{"text": bodies.get(i, ""), "why": why} for i, why in sorted(waits.items())],
        }
