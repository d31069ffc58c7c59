"""The webhook bench's baseline: an app that only stores the form in the same database and answers.

Same server (uvicorn, the same number of processes), same framework, same
database, same thread pool hop for the blocking write: what is left of the
real ``POST /sms/inbound`` when the signature check, the reading, the
conversation machine and the outbox are taken away. Started by
``bench.webhook`` as ``uvicorn bench.baseline_app:create_app --factory``
with ``ISA_DATABASE_URL`` set.
"""

from __future__ import annotations

import os

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, insert
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapters.storage.engine import make_engine

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
metadata = MetaData()
inbound = Table(
    "bench_baseline_inbound",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sid", String(64), unique=True, nullable=False),
    Column("phone", String(20), nullable=False),
    Column("body", Text, nullable=False),
)


def create_app() -> Starlette:
    """The baseline app on ``ISA_DATABASE_URL`` (the same engine settings as the service)."""
    engine = make_engine(os.environ["ISA_DATABASE_URL"])
    metadata.create_all(engine, checkfirst=True)

    def store(engine: Engine, row: dict[str, str]) -> None:
        with engine.begin() as connection:
            connection.execute(insert(inbound).values(**row))

    async def receive(request: Request) -> Response:
        form = await request.form()
        row = {
            "sid": str(form["MessageSid"]),
            "phone": str(form["From"]),
            "body": str(form["Body"]),
        }
        await run_in_threadpool(store, engine, row)
        return Response(EMPTY_TWIML, media_type="application/xml")

    async def healthz(_request: Request) -> Response:
        return Response("ok")

    return Starlette(
        routes=[
            Route("/sms/inbound", receive, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )
