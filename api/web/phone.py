"""The simulated phone in a browser tab (``ISA_DEV_PHONE=true`` only): be the lead, text the
system, see the replies arrive.

It drives the JSON API's own ``/dev/sms`` handlers, so the tab and
``curl /dev/sms`` behave the same. Like ``/dev/sms``, it needs no sign-in: it
plays a stranger's phone, and is off whenever Twilio is configured.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from adapters.storage.repositories import to_e164
from api.deps import ContainerDep
from api.routes import dev
from api.web.render import PREFIX, is_htmx, page
from api.web.session import read

router = APIRouter(dependencies=[Depends(dev.dev_only)])
EXAMPLE = "+15125550142"


def _e164(container: Any, phone: str) -> str:
    try:
        return to_e164(phone, container.settings.default_region)
    except ValueError as exc:
        raise HTTPException(400, f"{phone!r} is not a phone number: {exc}") from None


@router.get("/phone", response_class=HTMLResponse)
def pick_phone(request: Request, container: ContainerDep, number: str | None = None) -> Response:
    """Choose whose phone to be."""
    if number:
        return RedirectResponse(f"{PREFIX}/phone/{_e164(container, number)}", status_code=303)
    return page(request, "phone_pick.html", read(container, request), example=EXAMPLE)


@router.get("/phone/{phone}", response_class=HTMLResponse)
def phone_page(phone: str, request: Request, container: ContainerDep) -> HTMLResponse:
    """The lead's phone: their thread and a box to text from."""
    e164 = _e164(container, phone)
    thread = dev.phone_thread(e164, container)
    return page(request, "phone.html", read(container, request), phone=thread)


@router.get("/phone/{phone}/thread", response_class=HTMLResponse)
def phone_fragment(phone: str, request: Request, container: ContainerDep) -> HTMLResponse:
    """The thread alone, polled by the page."""
    thread = dev.phone_thread(_e164(container, phone), container)
    return page(request, "_phone_thread.html", read(container, request), phone=thread)


@router.post("/phone/{phone}", response_class=HTMLResponse)
async def phone_texts(phone: str, request: Request, container: ContainerDep) -> Response:
    """The lead texts (form fields ``from`` and ``body``, as ``POST /dev/sms`` takes them)."""
    form = await request.form()
    body = form.get("body")
    if not isinstance(body, str) or not body.strip():
        raise HTTPException(400, "type a text first")
    thread = await dev.lead_texts(request, container)
    if not is_htmx(request):
        return RedirectResponse(f"{PREFIX}/phone/{thread['phone']}", status_code=303)
    return page(request, "_phone_thread.html", read(container, request), phone=thread)
