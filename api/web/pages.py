"""Every console page: the routers ``install`` includes under /console, and the root."""

from __future__ import annotations

from fastapi import APIRouter

from api.web import (
    conversation,
    events,
    leads,
    phone,
    queue,
    results,
    scripts,
    signin,
    waiting,
)

# Included into the app one by one with the /console prefix, not through a /console router:
# FastAPI builds an included router's routes when the app first answers, but rebuilds a
# nested one's at once (about a tenth of a second at every start).
UNDER_CONSOLE: tuple[APIRouter, ...] = (
    signin.router,
    queue.router,
    conversation.router,
    waiting.router,  # before leads: /leads/unassigned is no /leads/{contact_id}
    leads.router,
    scripts.router,
    results.router,
    phone.router,
    events.router,
)
ROOT = signin.root
