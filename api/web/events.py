"""Live updates: a server-sent event ``changed`` whenever texts, suggestions or decisions change.

There is no event bus on the embedded default, so each stream polls the
database once a second for a fingerprint of what pages show (newest text,
suggestion and audit entry, the pending count, how many texts reached the
phone) in a short read-only transaction, and says ``changed`` when it moves.
The pages then fetch their fragment again. A ``tick`` every two seconds lets
the page notice a stream that died without closing, and open a new one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from adapters.storage.orm import AuditEntry, Message, Suggestion
from adapters.storage.vocab import DeliveryStatus, SuggestionState
from api.container import Container
from api.deps import ContainerDep
from api.web.session import SessionDep

router = APIRouter()
POLL_SECONDS = 1.0
TICK_EVERY = 2  # polls between "tick" events: the page reconnects when they stop coming
REACHED = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)


def fingerprint(container: Container) -> tuple[int, ...]:
    """Numbers that move whenever anything a console page shows has changed."""
    with container.uow(read_only=True) as uow:
        s = uow.session
        return (
            int(s.scalar(select(func.max(Message.id))) or 0),
            int(s.scalar(select(func.max(Suggestion.id))) or 0),
            int(s.scalar(select(func.max(AuditEntry.id))) or 0),
            int(
                s.scalar(
                    select(func.count())
                    .select_from(Suggestion)
                    .where(Suggestion.state == SuggestionState.PENDING)
                )
                or 0
            ),
            int(
                s.scalar(
                    select(func.count())
                    .select_from(Message)
                    .where(Message.delivery_status.in_(REACHED))
                )
                or 0
            ),
        )


async def stream(container: Container) -> AsyncIterator[str]:
    """``changed`` events until the browser goes away (Starlette then cancels the stream)."""
    last = await run_in_threadpool(fingerprint, container)
    yield "retry: 2000\n: connected\n\n"
    polls = 0
    while True:
        await asyncio.sleep(POLL_SECONDS)
        now = await run_in_threadpool(fingerprint, container)
        polls += 1
        if now != last:
            last = now
            yield f"event: changed\ndata: {'.'.join(map(str, now))}\n\n"
        elif polls % TICK_EVERY == 0:
            yield "event: tick\ndata: \n\n"


@router.get("/events")
async def events(
    request: Request, container: ContainerDep, _session: SessionDep
) -> StreamingResponse:
    """The event stream every live page listens to (signed-in users only)."""
    return StreamingResponse(
        stream(container),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
