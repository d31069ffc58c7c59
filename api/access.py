"""Who may do what: the one table of routes and the roles let through (``ACCESS``), and who
may see which lead (an agent sees only the leads they own, were offered or were shared).

``ACCESS`` maps ``"METHOD /path"`` (the route's path template) to the callers allowed:
a role, ``intake`` (a web-form token, ``isa leads intake-token``: POST /leads only) or
``PUBLIC`` (no sign-in: Twilio's signed webhooks, the simulated phone when
``ISA_DEV_PHONE`` is on, sign-in, health, the API's own docs). Admins are in every
signed-in rule. The JSON API checks it when it reads the bearer token
(``api.deps.current_user``), the console when it reads the session cookie
(``api.web.session.signed_in``); a route missing from the table is refused to everybody,
and ``tests/api/test_access_table.py`` walks every route for every caller against it.
Finer rules (an agent's own leads, your own tokens) stay with the use case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import HTTPException
from sqlalchemy import ColumnElement, exists, or_, select

from adapters.storage.orm import Assignment, Contact, Inquiry, Share, User
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork
from adapters.storage.vocab import AssignmentState, Role

# Roles that work every lead (not only their own).
SEE_ALL = frozenset({Role.ADMIN, Role.COORDINATOR, Role.ISA})

INTAKE = "intake"
"""A web-form token's caller, whatever its user's role: it may only add leads."""
PUBLIC: frozenset[str] = frozenset({"public"})
"""No sign-in needed (the route checks what it needs itself: a signature, ISA_DEV_PHONE)."""


def only(*who: str) -> frozenset[str]:
    """These callers, and admins."""
    return frozenset({*who, Role.ADMIN.value})


STAFF = only(Role.COORDINATOR, Role.ISA, Role.AGENT, Role.AUTHOR)
"""Every signed-in user (each sees what their role lets them: an agent their own leads)."""
COORDINATOR = only(Role.COORDINATOR)
ISA = only(Role.ISA)
AUTHOR = only(Role.AUTHOR)
TEXTER = only(Role.AGENT, Role.ISA)  # texts the lead, takes over, hands back
WORKER = only(Role.AGENT, Role.ISA, Role.COORDINATOR)  # notes, drips, campaigns, outcomes
LIVE = only(Role.COORDINATOR, Role.ISA, Role.AGENT)  # /console/events: agents their own only

ACCESS: dict[str, frozenset[str]] = {
    # the API's own documents, health, sign-in, Twilio (signed) and the dev phone
    "GET /openapi.json": PUBLIC,
    "GET /docs": PUBLIC,
    "GET /docs/oauth2-redirect": PUBLIC,
    "GET /redoc": PUBLIC,
    "GET /healthz": PUBLIC,
    "POST /auth/login": PUBLIC,
    "POST /sms/inbound": PUBLIC,
    "POST /sms/status": PUBLIC,
    "POST /voice/inbound": PUBLIC,
    "POST /dev/sms": PUBLIC,
    "POST /dev/clock": PUBLIC,
    "GET /dev/sms/{phone}": PUBLIC,
    # users and tokens (your own; anyone's for an admin: checked in the route)
    "GET /me": STAFF,
    "GET /users": COORDINATOR,
    "POST /users": only(),
    "PUT /users/{user_id}/active": only(),
    "POST /users/{user_id}/unlock": COORDINATOR,
    "PUT /users/{user_id}/away": only(Role.COORDINATOR, Role.AGENT),  # agents: themselves
    "GET /users/{user_id}/tokens": STAFF,
    "POST /users/{user_id}/tokens": STAFF,
    "DELETE /tokens/{token_id}": STAFF,
    # leads (agents see their own and shared ones: checked in the route)
    "GET /leads": STAFF,
    "POST /leads": only(Role.COORDINATOR, INTAKE),
    "POST /leads/import": COORDINATOR,
    "GET /leads/unassigned": COORDINATOR,
    "GET /leads/{contact_id}": STAFF,
    "POST /leads/{contact_id}/assign": COORDINATOR,
    "POST /leads/{contact_id}/share": only(Role.COORDINATOR, Role.AGENT),  # agents: the owner
    "GET /assignments": STAFF,
    "POST /assignments/{assignment_id}/accept": only(Role.AGENT),
    "POST /assignments/{assignment_id}/reject": only(Role.AGENT),
    "POST /campaigns/{name}/enroll": COORDINATOR,
    # scripts: everyone reads, authors write
    "GET /scripts": STAFF,
    "GET /scripts/{name}/{version}": STAFF,
    "GET /scripts/{name}/{version}/stats": STAFF,
    "POST /scripts/{name}/versions": AUTHOR,
    "POST /scripts/{name}/{version}/publish": AUTHOR,
    # the ISA queue and conversations
    "GET /queue": ISA,
    "POST /queue/{suggestion_id}/approve": ISA,
    "POST /queue/{suggestion_id}/edit": ISA,
    "POST /queue/{suggestion_id}/reject": ISA,
    "GET /conversations/{contact_id}": STAFF,
    "POST /conversations/{contact_id}/takeover": TEXTER,
    "POST /conversations/{contact_id}/handback": TEXTER,
    "POST /conversations/{contact_id}/messages": TEXTER,
    "POST /conversations/{contact_id}/drip": WORKER,
    "POST /conversations/{contact_id}/campaigns": WORKER,
    "POST /conversations/{contact_id}/notes": WORKER,
    "GET /outcomes": WORKER,  # an agent their own
    # the console: the same rules as the JSON routes it stands for
    "GET /": PUBLIC,
    "GET /favicon.ico": PUBLIC,
    "GET /console/": PUBLIC,
    "GET /console/sign-in": PUBLIC,
    "POST /console/sign-in": PUBLIC,
    "POST /console/sign-out": STAFF,
    "GET /console/events": LIVE,
    "GET /console/queue": ISA,
    "GET /console/queue/body": ISA,
    "POST /console/queue/{suggestion_id}/approve": ISA,
    "POST /console/queue/{suggestion_id}/edit": ISA,
    "POST /console/queue/{suggestion_id}/reject": ISA,
    "GET /console/conversations/{contact_id}": STAFF,
    "GET /console/conversations/{contact_id}/body": STAFF,
    "GET /console/conversations/{contact_id}/check": STAFF,
    "POST /console/conversations/{contact_id}/takeover": TEXTER,
    "POST /console/conversations/{contact_id}/handback": TEXTER,
    "POST /console/conversations/{contact_id}/messages": TEXTER,
    "POST /console/conversations/{contact_id}/drip": WORKER,
    "POST /console/conversations/{contact_id}/notes": WORKER,
    "POST /console/conversations/{contact_id}/enrol": COORDINATOR,
    "GET /console/leads": STAFF,
    "GET /console/leads/unaccepted": only(Role.AGENT),
    "GET /console/leads/unassigned": COORDINATOR,
    "POST /console/leads/bulk": COORDINATOR,
    "GET /console/leads/import": COORDINATOR,
    "POST /console/leads/import": COORDINATOR,
    "GET /console/leads/{contact_id}": STAFF,
    "POST /console/leads/{contact_id}/answer": only(Role.AGENT),
    "GET /console/scripts": STAFF,
    "GET /console/scripts/{name}/diff": STAFF,
    "GET /console/scripts/{name}/new": AUTHOR,
    "GET /console/scripts/{name}/{version}": STAFF,
    "POST /console/scripts/{name}/new": AUTHOR,
    "POST /console/scripts/{name}/{version}/publish": AUTHOR,
    "POST /console/scripts/{name}/try": AUTHOR,
    "GET /console/results": STAFF,
    "GET /console/phone": PUBLIC,
    "GET /console/phone/{phone}": PUBLIC,
    "GET /console/phone/{phone}/thread": PUBLIC,
    "POST /console/phone/{phone}": PUBLIC,
}


def route_path(scope: Mapping[str, Any]) -> str | None:
    """The matched route's full path template. A router included in another keeps its
    prefixes in FastAPI's effective route context, not in ``scope["route"]`` (whose path
    is the inner router's own: ``/queue`` for ``/console/queue``)."""
    fastapi_scope = scope.get("fastapi")
    context = fastapi_scope.get("effective_route_context") if fastapi_scope else None
    path = getattr(context, "path", None) or getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else None


def rule(method: str, path: str) -> frozenset[str] | None:
    """Who may call ``METHOD path`` (the route's template), or None if it has no rule."""
    return ACCESS.get(f"{'GET' if method == 'HEAD' else method} {path}")


def may(who: str, key: str) -> bool:
    """True when the caller ``who`` (a role or ``intake``) may call the route ``key``."""
    allowed = ACCESS.get(key)
    return allowed is not None and (allowed is PUBLIC or who in allowed)


def names(allowed: Iterable[str]) -> str:
    """The callers as a sentence's list, for a refusal."""
    return ", ".join(sorted(allowed))


def check(method: str, path: str | None, who: str) -> None:
    """403 unless ``who`` may call the route (a route without a rule: nobody may)."""
    if path is None:  # pragma: no cover - Starlette always sets the matched route
        raise HTTPException(403, "no route matched: no access rule applies")
    allowed = rule(method, path)
    if allowed is None:
        raise HTTPException(403, f"{method} {path} has no access rule (api/access.py): refused")
    if allowed is PUBLIC or who in allowed:
        return
    if who == INTAKE:
        raise HTTPException(403, "a web-form (intake) token may only POST /leads")
    form = " or a web-form token (isa leads intake-token EMAIL)" if INTAKE in allowed else ""
    raise HTTPException(
        403, f"this needs the role {names(allowed - {INTAKE})}{form}; you are {who}"
    )


def visible_contacts(user: User) -> ColumnElement[bool]:
    """A WHERE clause on Contact: true for the contacts ``user`` may see."""
    if Role(user.role) in SEE_ALL:
        return Contact.id.is_not(None)
    owned = exists().where(Inquiry.contact_id == Contact.id, Inquiry.owner_id == user.id)
    shared = exists().where(Share.contact_id == Contact.id, Share.agent_id == user.id)
    assigned = exists().where(
        Assignment.contact_id == Contact.id,
        Assignment.agent_id == user.id,
        Assignment.state.in_([AssignmentState.OFFERED, AssignmentState.ACCEPTED]),
    )
    return or_(owned, shared, assigned)


def contact_for(uow: SqlAlchemyUnitOfWork, user: User, contact_id: int) -> Contact:
    """The contact if ``user`` may see it; 404 otherwise (never reveals that it exists)."""
    found = uow.session.execute(
        select(Contact).where(Contact.id == contact_id, visible_contacts(user))
    ).scalar_one_or_none()
    if found is None:
        raise HTTPException(404, f"no lead {contact_id} that you can see")
    return found
