"""Users and their tokens, shared by the HTTP routes and the ``isa users`` commands."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from adapters.storage import audit
from adapters.storage.orm import ApiToken, User
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork
from adapters.storage.vocab import Role
from api.passwords import check_password
from api.security import hash_password, new_token, token_hash
from isa_engine.errors import NotAllowed

WEB_FORM_TOKEN = "web-form"
"""The name of intake tokens (``isa leads intake-token``): they may only POST /leads."""
USE_GRANULARITY = timedelta(minutes=1)
LOGIN_TOKEN_LIFE = timedelta(days=30)  # POST /auth/login; CLI tokens last until revoked


def create_user(
    uow: SqlAlchemyUnitOfWork,
    *,
    email: str,
    name: str,
    role: Role,
    at: datetime,
    password: str | None = None,
    actor_id: int | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    cell_phone: str | None = None,
) -> User:
    """Add a user (e-mail unique, case-insensitive); the caller commits."""
    email = email.strip().lower()
    if password is not None:
        check_password(password, email)
    if uow.session.execute(select(User.id).where(User.email == email)).first():
        raise NotAllowed(f"a user with e-mail {email} already exists")
    user = User(
        email=email,
        name=name,
        role=role,
        active=True,
        created_at=at,
        password_hash=hash_password(password) if password else None,
        first_name=first_name or (name.split()[0] if role is Role.AGENT and name else None),
        last_name=last_name,
        cell_phone=cell_phone,
    )
    uow.session.add(user)
    uow.session.flush()
    audit.record(
        uow.session,
        actor_id=actor_id,
        action="user.create",
        subject=("user", user.id),
        at=at,
        email=email,
        role=role.value,
    )
    return user


def issue_token(
    uow: SqlAlchemyUnitOfWork,
    user: User,
    *,
    name: str,
    at: datetime,
    actor_id: int | None,
    expires_at: datetime | None = None,
    console: bool = False,
    user_agent: str | None = None,
) -> tuple[ApiToken, str]:
    """A new API token (or, ``console``, a console session) for ``user``: the row (hash only)
    and the token, shown once."""
    token = new_token()
    row = ApiToken(
        user_id=user.id,
        token_hash=token_hash(token),
        name=name[:100],
        created_at=at,
        expires_at=expires_at,
        console=console,
        user_agent=user_agent[:300] if user_agent else None,
    )
    uow.session.add(row)
    uow.session.flush()
    audit.record(
        uow.session,
        actor_id=actor_id,
        action="token.create",
        subject=("user", user.id),
        at=at,
        token_id=row.id,
        name=name,
    )
    return row, token


def set_active(
    uow: SqlAlchemyUnitOfWork, user: User, *, active: bool, at: datetime, actor_id: int | None
) -> int:
    """Enable or disable ``user``; disabling revokes every token and console session.
    Returns how many were revoked. The caller commits."""
    user.active = active
    revoked = 0
    if not active:
        for row in uow.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        ):
            row.revoked_at = at
            revoked += 1
    audit.record(
        uow.session,
        actor_id=actor_id,
        action="user.enable" if active else "user.disable",
        subject=("user", user.id),
        at=at,
        revoked=revoked,
    )
    return revoked


def set_away(
    uow: SqlAlchemyUnitOfWork, user: User, *, away: bool, at: datetime, actor_id: int | None
) -> None:
    """Mark an agent away (the routing rules skip them) or back; audited. The caller commits."""
    user.away = away
    audit.record(
        uow.session,
        actor_id=actor_id,
        action="user.away" if away else "user.back",
        subject=("user", user.id),
        at=at,
    )


def live_token(
    uow: SqlAlchemyUnitOfWork, token: str, at: datetime, *, console: bool
) -> ApiToken | None:
    """The live row of ``token``: not revoked, not expired, of the kind asked."""
    row = uow.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == token_hash(token),
            ApiToken.revoked_at.is_(None),
            ApiToken.console.is_(console),
        )
    )
    if row is None or (row.expires_at is not None and row.expires_at <= at):
        return None
    return row


def stale_use(row: ApiToken, at: datetime) -> bool:
    """Whether ``row.last_used_at`` is worth moving on (at most once a minute: a write per
    request would take SQLite's write lock on every read)."""
    return row.last_used_at is None or at - row.last_used_at > USE_GRANULARITY


def touch(uow: SqlAlchemyUnitOfWork, token_id: int, at: datetime) -> None:
    """Record that the token was used ``at``; the caller commits."""
    uow.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=at))


def token_state(row: ApiToken, at: datetime) -> str:
    """``live``, ``revoked`` or ``expired``."""
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at is not None and row.expires_at <= at:
        return "expired"
    return "live"
