"""Request dependencies: the container, a unit of work, the signed-in user (whose role the
access table in ``api.access`` checks)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from adapters.storage.columns import MAX_ID
from adapters.storage.orm import User
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork
from api.access import INTAKE, check, route_path
from api.accounts import WEB_FORM_TOKEN, live_token, stale_use, touch
from api.container import Container

_bearer = HTTPBearer(
    auto_error=False, description="an API token from POST /auth/login or `isa tokens create`"
)


def get_container(request: Request) -> Container:
    """The app's container (built by create_app)."""
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
"""A row id in the path: out of range is a 422, never a driver overflow."""
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def get_uow(container: ContainerDep) -> Iterator[SqlAlchemyUnitOfWork]:
    """A unit of work for the request; routes commit what they change."""
    with container.uow() as uow:
        yield uow


UowDep = Annotated[SqlAlchemyUnitOfWork, Depends(get_uow)]


def current_user(
    request: Request,
    container: ContainerDep,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The user whose bearer token came with the request; 401 without a valid one, 403 when
    the route's rule in ``api.access.ACCESS`` does not let their role (or, for a web-form
    token, ``intake``) through. ``request.state.intake_token`` says which it was."""
    if creds is None:
        raise HTTPException(
            401,
            "sign in: send Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    now = container.clock()
    with container.uow(read_only=True) as uow:  # a console session's id is no bearer token
        token = live_token(uow, creds.credentials, now, console=False)
        row = uow.session.get(User, token.user_id) if token is not None else None
        stale = token is not None and stale_use(token, now)
        token_id = token.id if token is not None else None
        intake = token is not None and token.name == WEB_FORM_TOKEN
    if stale and token_id is not None:
        with container.uow() as uow:
            touch(uow, token_id, now)
            uow.commit()
    if row is None or not row.active:
        raise HTTPException(
            401,
            "unknown, expired, revoked or inactive token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    request.state.intake_token = intake
    check(request.method, route_path(request.scope), INTAKE if intake else row.role)
    return row


UserDep = Annotated[User, Depends(current_user)]
