"""Sign-in, users and API tokens."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, EmailStr, Field
from sqlalchemy import select

from adapters.storage import audit
from adapters.storage.orm import ApiToken, User
from adapters.storage.vocab import Role
from api import sign_in
from api.accounts import (
    LOGIN_TOKEN_LIFE,
    create_user,
    issue_token,
    set_active,
    set_away,
    token_state,
)
from api.deps import ContainerDep, IdPath, UowDep, UserDep
from api.sign_in import Attempt

router = APIRouter(tags=["access"])


class Login(BaseModel):
    """E-mail and password."""

    email: str = Field(max_length=254)
    password: str = Field(max_length=1000)


class TokenOut(BaseModel):
    """A new API token: keep it, it is shown once."""

    token: str
    token_id: int
    user_id: int
    role: str


class UserIn(BaseModel):
    """A new user."""

    email: EmailStr
    name: str = Field(min_length=1, max_length=200)
    role: Role
    password: str | None = Field(
        default=None, max_length=1000, description="at least 12 characters, not a common one"
    )
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    cell_phone: str | None = Field(default=None, max_length=32)


class UserOut(BaseModel):
    """A user as others see them."""

    id: int
    email: str
    name: str
    role: str
    active: bool
    away: bool = False  # an agent the routing rules skip until they are back


def _out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        active=user.active,
        away=user.away,
    )


@router.post(
    "/auth/login",
    response_model=TokenOut,
    responses={
        401: {"description": "wrong e-mail or password"},
        429: {"description": "too many failures: wait Retry-After seconds, or ask for an unlock"},
    },
)
def login(body: Login, uow: UowDep, container: ContainerDep, request: Request) -> TokenOut:
    """Exchange an e-mail and password for an API token (throttled: api/sign_in.py)."""
    attempt = Attempt(body.email.strip().lower(), client_address(request), "api")
    try:
        user = sign_in.authenticate(container, uow, attempt, body.password)
    except sign_in.Throttled as exc:
        raise HTTPException(429, str(exc), headers={"Retry-After": str(exc.retry_after)}) from None
    if user is None:
        uow.commit()  # the failure counts
        raise HTTPException(401, "wrong e-mail or password")
    now = container.clock()
    row, token = issue_token(
        uow, user, name="login", at=now, actor_id=user.id, expires_at=now + LOGIN_TOKEN_LIFE
    )
    uow.commit()
    return TokenOut(token=token, token_id=row.id, user_id=user.id, role=user.role)


def client_address(request: Request) -> str:
    """The client's address (uvicorn takes it from X-Forwarded-For behind trusted proxies)."""
    return request.client.host if request.client else "unknown"


@router.post("/users/{user_id}/unlock", response_model=UserOut)
def unlock_user(
    user_id: IdPath,
    uow: UowDep,
    container: ContainerDep,
    actor: UserDep,
) -> UserOut:
    """Lift a sign-in lockout (admins and coordinators)."""
    user = _user(uow, user_id)
    sign_in.unlock(container, uow, user, actor.id)
    uow.commit()
    return _out(user)


class TokenInfo(BaseModel):
    """A token or console session as its owner and admins see it (never the token)."""

    id: int
    name: str
    console: bool
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    user_agent: str | None
    state: str


@router.get("/users/{user_id}/tokens", response_model=list[TokenInfo])
def list_tokens(
    user_id: IdPath, uow: UowDep, container: ContainerDep, user: UserDep
) -> list[TokenInfo]:
    """Your tokens and console sessions (anyone's for an admin), newest first."""
    if user.id != user_id and user.role != Role.ADMIN:
        raise HTTPException(403, "only admins list other users' tokens")
    now = container.clock()
    rows = uow.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
    )
    return [
        TokenInfo(
            id=r.id,
            name=r.name,
            console=r.console,
            created_at=r.created_at,
            last_used_at=r.last_used_at,
            expires_at=r.expires_at,
            user_agent=r.user_agent,
            state=token_state(r, now),
        )
        for r in rows
    ]


class ActiveIn(BaseModel):
    """Enable or disable a user."""

    active: bool


@router.put("/users/{user_id}/active", response_model=UserOut)
def set_user_active(
    user_id: IdPath,
    body: ActiveIn,
    uow: UowDep,
    container: ContainerDep,
    admin: UserDep,
) -> UserOut:
    """Disable a user (every token and console session revoked at once) or enable them."""
    user = _user(uow, user_id)
    set_active(uow, user, active=body.active, at=container.clock(), actor_id=admin.id)
    uow.commit()
    return _out(user)


class AwayIn(BaseModel):
    """Mark an agent away (routing skips them) or back."""

    away: bool


@router.put("/users/{user_id}/away", response_model=UserOut)
def set_user_away(
    user_id: IdPath, body: AwayIn, uow: UowDep, container: ContainerDep, user: UserDep
) -> UserOut:
    """An agent marks themselves away or back (a coordinator anyone): routing skips the away."""
    target = _user(uow, user_id)
    if Role(user.role) is Role.AGENT and target.id != user.id:
        raise HTTPException(404, f"no user {user_id}")
    if Role(target.role) is not Role.AGENT:
        raise HTTPException(422, f"user {user_id} is not an agent: only agents are routed leads")
    set_away(uow, target, away=body.away, at=container.clock(), actor_id=user.id)
    uow.commit()
    return _out(target)


@router.get("/me", response_model=UserOut)
def me(user: UserDep) -> UserOut:
    """Who the token belongs to."""
    return _out(user)


@router.post("/users", response_model=UserOut, status_code=201)
def add_user(
    body: UserIn,
    uow: UowDep,
    container: ContainerDep,
    admin: UserDep,
) -> UserOut:
    """Create a user (admins only)."""
    user = create_user(
        uow,
        email=str(body.email),
        name=body.name,
        role=body.role,
        password=body.password,
        at=container.clock(),
        actor_id=admin.id,
        first_name=body.first_name,
        last_name=body.last_name,
        cell_phone=body.cell_phone,
    )
    uow.commit()
    return _out(user)


@router.get("/users", response_model=list[UserOut])
def list_users(uow: UowDep, _admin: UserDep) -> list[UserOut]:
    """Every user (admins and coordinators)."""
    return [_out(u) for u in uow.session.execute(select(User).order_by(User.id)).scalars()]


@router.post("/users/{user_id}/tokens", response_model=TokenOut, status_code=201)
def add_token(user_id: IdPath, uow: UowDep, container: ContainerDep, user: UserDep) -> TokenOut:
    """A new token for yourself, or for anyone if you are an admin."""
    if user.id != user_id and user.role != Role.ADMIN:
        raise HTTPException(403, "only admins create tokens for other users")
    owner = _user(uow, user_id)
    row, token = issue_token(uow, owner, name="api", at=container.clock(), actor_id=user.id)
    uow.commit()
    return TokenOut(token=token, token_id=row.id, user_id=owner.id, role=owner.role)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: IdPath, uow: UowDep, container: ContainerDep, user: UserDep) -> None:
    """Revoke a token (yours, or anyone's if you are an admin)."""
    row = uow.session.get(ApiToken, token_id)
    if row is None or (row.user_id != user.id and user.role != Role.ADMIN):
        raise HTTPException(404, f"no token {token_id} of yours")
    row.revoked_at = container.clock()
    audit.record(
        uow.session,
        actor_id=user.id,
        action="token.revoke",
        subject=("user", row.user_id),
        at=container.clock(),
        token_id=token_id,
    )
    uow.commit()


def _user(uow: UowDep, user_id: int) -> User:
    """The user ``user_id``; 404 when there is none."""
    user = uow.session.get(User, user_id)
    if user is None:
        raise HTTPException(404, f"no user {user_id}")
    return user
