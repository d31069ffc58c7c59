"""Console sign-in: a signed, SameSite=strict session cookie and a CSRF token for every form.

The cookie carries a random session id and a random CSRF token, signed with
itsdangerous. The session is a row on the server (``ApiToken`` with
``console`` set: user, expiry, last seen, user agent), never usable as an API
bearer token; it ends at sign-out, when the user is disabled, after ``IDLE``
unused and ``MAX_AGE`` after sign-in. A POST must send
the CSRF token back, as the ``csrf`` form field or the ``X-CSRF-Token``
header (htmx sends it from ``hx-headers`` on ``<body>``).

The signing key is ``ISA_SESSION_SECRET``; without it each process makes a
random one, so sign-ins last until a restart (set it when running several
processes on PostgreSQL).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.storage.orm import User
from api import access
from api.access import ACCESS
from api.accounts import live_token, stale_use, touch
from api.container import Container
from api.deps import ContainerDep
from api.settings import PLACEHOLDERS

COOKIE = "isa_session"
MAX_AGE = 12 * 3600  # a working day; sign in again after (the session row expires then too)
IDLE = timedelta(hours=2)  # a session unused this long is over
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"


class WebSettings(BaseSettings):
    """The console's own setting: the key that signs session cookies."""

    model_config = SettingsConfigDict(env_prefix="ISA_", extra="ignore", env_ignore_empty=True)

    session_secret: str | None = None


@dataclass(frozen=True, slots=True)
class Session:
    """Who is signed in, and the CSRF token their forms must send back."""

    user: User
    token: str
    csrf: str


class SignInNeeded(Exception):
    """No valid session: the console redirects to the sign-in page."""


def prepare(container: Container) -> None:
    """Build the cookie signer at start: a placeholder ISA_SESSION_SECRET stops the service
    there, not at the first sign-in."""
    _serializer(container)


def _serializer(container: Container) -> URLSafeTimedSerializer:
    found = container.extras.get("web_serializer")
    if isinstance(found, URLSafeTimedSerializer):
        return found
    secret = WebSettings().session_secret
    if secret is not None and secret.strip().lower() in PLACEHOLDERS:
        raise ValueError(f"ISA_SESSION_SECRET is a placeholder ({secret!r}): set a real secret")
    made = URLSafeTimedSerializer(secret or secrets.token_urlsafe(32), salt="isa-console")
    container.extras["web_serializer"] = made
    return made


def start(container: Container, response: Response, token: str, *, secure: bool) -> None:
    """Set the session cookie for a freshly issued API ``token``."""
    value = _serializer(container).dumps({"t": token, "c": secrets.token_urlsafe(24)})
    response.set_cookie(
        COOKIE,
        value,
        max_age=MAX_AGE,
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/",
    )


def end(response: Response) -> None:
    """Forget the session cookie."""
    response.delete_cookie(COOKIE, path="/", samesite="strict", httponly=True)


def read(container: Container, request: Request) -> Session | None:
    """The request's session if its cookie is valid and its token still live, else None."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data: Any = _serializer(container).loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("t"), str):
        return None
    now = container.clock()
    with container.uow(read_only=True) as uow:
        row = live_token(uow, data["t"], now, console=True)
        if row is None:
            return None  # signed out, disabled, or past the absolute limit
        if (row.last_used_at or row.created_at) + IDLE <= now:
            return None  # idle too long
        user = uow.session.get(User, row.user_id)
        stale, row_id = stale_use(row, now), row.id
    if user is None or not user.active:
        return None
    if stale:
        with container.uow() as uow:
            touch(uow, row_id, now)
            uow.commit()
    return Session(user=user, token=data["t"], csrf=str(data.get("c", "")))


def signed_in(request: Request, container: ContainerDep) -> Session:
    """The session, or SignInNeeded (the console answers with the sign-in page); 403 when the
    route's rule in ``api.access.ACCESS`` does not let the user's role through."""
    found = read(container, request)
    if found is None:
        raise SignInNeeded()
    access.check(request.method, access.route_path(request.scope), found.user.role)
    return found


SessionDep = Annotated[Session, Depends(signed_in)]


async def checked(request: Request, session: SessionDep) -> Session:
    """The session of a POST whose CSRF token matches; 403 otherwise."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not session.csrf or not hmac.compare_digest(sent, session.csrf):
        raise HTTPException(403, "the form has expired: reload the page and try again")
    return session


PostDep = Annotated[Session, Depends(checked)]


def same_rule(key: str) -> Callable[[User], User]:
    """The role check of the JSON route ``key`` (``"METHOD /path"`` in ``api.access.ACCESS``),
    so the console lets through exactly whom the JSON API does."""
    if key not in ACCESS:
        raise KeyError(f"{key!r} is not in api.access.ACCESS")

    def check(user: User) -> User:
        method, path = key.split(" ", 1)
        access.check(method, path, user.role)
        return user

    return check


def allowed(rule: Callable[[User], User], user: User) -> bool:
    """True when ``rule`` lets ``user`` through."""
    try:
        rule(user)
    except HTTPException:
        return False
    return True
