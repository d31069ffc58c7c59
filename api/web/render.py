"""Templates and the helpers every console page shares: filters, the menu, flash messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from adapters.storage.orm import User
from api import access
from api.container import Container
from api.web import humane
from api.web.session import CSRF_FIELD, CSRF_HEADER, Session

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
PREFIX = "/console"


def waited(seconds: int | float) -> str:
    """A wait as people say it: "40 s", "3 min", "2 h 5 min", "3 d"."""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        h, m = divmod(s // 60, 60)
        return f"{h} h {m} min" if m else f"{h} h"
    return f"{s // 86400} d"


templates.env.filters["waited"] = waited
templates.env.filters["when"] = humane.when
templates.env.filters["slot"] = humane.slot_value
templates.env.filters["slot_label"] = humane.slot_label
templates.env.filters["zone"] = humane.zone
templates.env.filters["phone"] = humane.phone


ASSIGN = "POST /leads/{contact_id}/assign"


def menu(container: Container, user: User) -> list[tuple[str, str]]:
    """The pages ``user`` may open, as (label, path)."""
    items = []
    if may(user, "GET /queue"):
        items.append(("Queue", f"{PREFIX}/queue"))
    if may(user, "GET /console/leads/unaccepted"):
        items.append(("Offers", f"{PREFIX}/leads/unaccepted"))
    if may(user, "GET /console/leads/unassigned"):
        items.append(("To assign", f"{PREFIX}/leads/unassigned"))
    items.append(("Leads", f"{PREFIX}/leads"))
    items.append(("Scripts", f"{PREFIX}/scripts"))
    items.append(("Results", f"{PREFIX}/results"))
    if container.settings.dev_phone:
        items.append(("Phone", f"{PREFIX}/phone"))
    return items


def current(path: str, items: list[tuple[str, str]]) -> str | None:
    """The menu entry ``path`` is under (the longest that matches: Offers, not Leads, for
    /console/leads/unaccepted)."""
    found = [href for _, href in items if path == href or path.startswith(href + "/")]
    return max(found, key=len, default=None)


def may(user: User, key: str) -> bool:
    """True when the JSON route ``key`` (``"METHOD /path"``, api/access.py) lets ``user``
    through."""
    return access.may(user.role, key)


def page(
    request: Request,
    template: str,
    session: Session | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` with the signed-in user, the menu and the CSRF token."""
    container: Container = request.app.state.container
    items = menu(container, session.user) if session else []
    base: dict[str, Any] = {
        "prefix": PREFIX,
        "user": session.user if session else None,
        "csrf": session.csrf if session else "",
        "csrf_field": CSRF_FIELD,
        "csrf_header": CSRF_HEADER,
        "menu": items,
        "path": request.url.path,
        "current": current(request.url.path, items),
        "may_coordinate": session is not None and may(session.user, ASSIGN),
        "may_author": session is not None and may(session.user, "POST /scripts/{name}/versions"),
    }
    return templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )


def is_htmx(request: Request) -> bool:
    """True for a request htmx made (it swaps a fragment instead of loading a page)."""
    return request.headers.get("HX-Request") == "true"


def back(request: Request, path: str) -> Response:
    """After a plain form POST: see the page again (303, so a reload does not post twice)."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": path})
    return RedirectResponse(path, status_code=303)
