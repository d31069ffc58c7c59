"""Every console page under /console, in one router for ``create_app`` to include."""

from __future__ import annotations

from fastapi import APIRouter

from api.web import conversation, events, leads, phone, queue, results, scripts, signin
from api.web.render import PREFIX

router = APIRouter(include_in_schema=False)
console = APIRouter(prefix=PREFIX)
for part in (
    signin.router,
    queue.router,
    conversation.router,
    leads.router,
    scripts.router,
    results.router,
    phone.router,
    events.router,
):
    console.include_router(part)
router.include_router(signin.root)
router.include_router(console)
