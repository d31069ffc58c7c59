"""Users and their tokens, shared by the HTTP routes and the ``isa users`` commands."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from adapters.storage import audit
from adapters.storage.orm import ApiToken, User
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork
from adapters.storage.vocab import Role
from api.passwords import check_password
from api.security import hash_password, new_token, token_hash
from isa_engine.errors import NotAllowed


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
    uow: SqlAlchemyUnitOfWork, user: User, *, name: str, at: datetime, actor_id: int | None
) -> tuple[ApiToken, str]:
    """A new API token for ``user``: the row (hash only) and the token, shown once."""
    token = new_token()
    row = ApiToken(user_id=user.id, token_hash=token_hash(token), name=name, created_at=at)
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
