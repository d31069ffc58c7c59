"""Twilio's webhooks: ``POST /sms/inbound`` (a lead's text) and ``POST /sms/status`` (delivery).

Give Twilio ``<ISA_PUBLIC_URL>/sms/inbound`` as the number's "A message comes
in" webhook (HTTP POST); status callbacks go to ``<ISA_PUBLIC_URL>/sms/status``.
Both check ``X-Twilio-Signature`` against exactly that URL before storing anything.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from api.deps import ContainerDep
from api.services import outbox
from api.services.turns import receive_text
from api.services.webhook import (
    BadForm,
    WebhookRefused,
    check_form_type,
    parse_inbound,
    parse_status,
    record_status,
    verify,
)

router = APIRouter(prefix="/sms", tags=["twilio"])

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def _form_body(*required: str) -> dict[str, Any]:
    fields = [
        "MessageSid",
        "From",
        "To",
        "Body",
        "AccountSid",
        "NumMedia",
        "MessageStatus",
        "ErrorCode",
    ]
    schema = {
        "type": "object",
        "properties": {f: {"type": "string"} for f in fields},
        "required": list(required),
    }
    return {
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": schema}},
        }
    }


async def _signed_form(request: Request, container: ContainerDep, path: str) -> dict[str, str]:
    try:
        check_form_type(request.headers.get("content-type"))  # before any parsing
        form = await request.form()
        params = {k: v for k, v in form.items() if isinstance(v, str)}
        verify(container, path, params, request.headers.get("X-Twilio-Signature"))
    except WebhookRefused as exc:
        raise HTTPException(exc.status, exc.detail) from None
    return params


@router.post(
    "/inbound",
    response_class=Response,
    responses={
        200: {"content": {"application/xml": {}}, "description": "empty TwiML"},
        400: {"description": "a field is missing or wrong"},
        403: {"description": "not signed by Twilio, or the webhook is off"},
    },
    openapi_extra=_form_body("MessageSid", "From"),
)
async def inbound(request: Request, container: ContainerDep, tasks: BackgroundTasks) -> Response:
    """A lead's text: stored once by MessageSid, its turn run; replies follow by the outbox."""
    params = await _signed_form(request, container, "/sms/inbound")
    try:
        text = parse_inbound(params, container.settings.default_region)
    except BadForm as exc:
        raise HTTPException(400, str(exc)) from None
    result = await run_in_threadpool(receive_text, container, text)
    if result.outbound_ids:
        tasks.add_task(outbox.deliver, container, result.outbound_ids)
    return Response(EMPTY_TWIML, media_type="application/xml")


@router.post(
    "/status",
    status_code=204,
    response_class=Response,
    responses={
        400: {"description": "a field is wrong"},
        403: {"description": "not signed by Twilio, or the webhook is off"},
    },
    openapi_extra=_form_body("MessageSid", "MessageStatus"),
)
async def status(request: Request, container: ContainerDep) -> Response:
    """A delivery status: moves only forward; error 21610 makes the contact dead."""
    params = await _signed_form(request, container, "/sms/status")
    try:
        update = parse_status(params)
    except BadForm as exc:
        raise HTTPException(400, str(exc)) from None
    await run_in_threadpool(record_status, container, update)
    return Response(status_code=204)
