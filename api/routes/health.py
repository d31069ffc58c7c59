"""``GET /healthz``: for the load balancer in front (docs/deploy.md).

200 when this process answers and reaches its database; 503 when the database
does not answer, so the balancer sends texts to another process meanwhile.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from api.container import Container
from api.deps import ContainerDep

router = APIRouter(tags=["operations"])


def _database_answers(container: Container) -> bool:
    try:
        with container.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True


@router.get(
    "/healthz",
    responses={503: {"description": "the database does not answer"}},
)
async def healthz(container: ContainerDep) -> JSONResponse:
    """Is this process up and its database reachable?"""
    if await run_in_threadpool(_database_answers, container):
        return JSONResponse({"status": "ok"})
    return JSONResponse({"status": "database unreachable"}, status_code=503)
