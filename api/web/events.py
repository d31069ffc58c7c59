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

from adapters.storage.orm import AuditEntry, Contact, ConversationRow, Message, Suggestion, User
from adapters.storage.vocab import DeliveryStatus, Role, SuggestionState
from api.access import SEE_ALL, visible_contacts
from api.container import Container
from api.deps import ContainerDep
from api.web.session import SessionDep

router = APIRouter()
POLL_SECONDS = 1.0
TICK_EVERY = 2  # polls between "tick" events: the page reconnects when they stop coming
REACHED = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)


def fingerprint(container: Container, user: User | None = None) -> tuple[int, ...]:
    """Numbers that move whenever anything a console page shows has changed.

    Service-wide for the roles that work every lead (admins, coordinators, ISAs); for an
    agent, only over the leads they may see (their own, offered and shared): a stream
    must not tell an agent how busy the service is, nor when other leads text.
    """
    if user is not None and Role(user.role) not in SEE_ALL:
        return _own_fingerprint(container, user)
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


def _own_fingerprint(container: Container, user: User) -> tuple[int, ...]:
    """``fingerprint`` over the leads ``user`` may see."""
    mine = select(Contact.id).where(visible_contacts(user)).scalar_subquery()
    threads = select(ConversationRow.id).where(ConversationRow.contact_id.in_(mine))
    with container.uow(read_only=True) as uow:
        s = uow.session
        return (
            int(s.scalar(select(func.max(Message.id)).where(Message.contact_id.in_(mine))) or 0),
            int(
                s.scalar(
                    select(func.max(Suggestion.id)).where(
                        Suggestion.conversation_id.in_(threads.scalar_subquery())
                    )
                )
                or 0
            ),
            int(
                s.scalar(
                    select(func.count())
                    .select_from(Message)
                    .where(Message.contact_id.in_(mine), Message.delivery_status.in_(REACHED))
                )
                or 0
            ),
        )


async def stream(container: Container, user: User | None = None) -> AsyncIterator[str]:
    """``changed`` events until the browser goes away (Starlette then cancels the stream)."""
    last = await run_in_threadpool(fingerprint, container, user)
    yield "retry: 2000\n: connected\n\n"
    polls = 0
    while True:
        await asyncio.sleep(POLL_SECONDS)
        now = await run_in_threadpool(fingerprint, container, user)
        polls += 1
        if now != last:
            last = now
            yield f"event: changed\ndata: {'.'.join(map(str, now))}\n\n"
        elif polls % TICK_EVERY == 0:
            yield "event: tick\ndata: \n\n"


@router.get("/events")
async def events(
    request: Request, container: ContainerDep, session: SessionDep
) -> StreamingResponse:
    """The event stream live pages listen to: service-wide for admins, coordinators and ISAs,
    an agent's own leads only for an agent; authors get none (api/access.py)."""
    return StreamingResponse(
        stream(container, session.user),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
