"""Timer jobs: a conversation's timer came due, so the core decides what that means now.

The core set the timer (``StartTimer``) in the turn that asked a question; it
fires here, in a turn of its own under the contact's lock, and the core looks
at the conversation as it is now: a lead who answered meanwhile, or a
conversation an agent took, makes the timer do nothing.
"""

from __future__ import annotations

from datetime import datetime

from adapters.storage import audit
from api.container import Container
from api.services import drip
from api.services.effects import TurnScope
from api.services.locking import lock, policy_of, run
from api.services.worker import ClaimedJob, PermanentJobError
from isa_engine.dialogue import COLD
from isa_engine.events import TimerFired
from isa_engine.model import Status
from isa_engine.policy.zones import lead_now

KINDS = (COLD,)
"""The timer kinds the core sets."""


def run_timer_job(container: Container, job: ClaimedJob) -> datetime | None:
    """Fire ``job``'s timer on its conversation; texts it queued are sent by their own jobs."""
    contact_id = job.payload.get("contact_id")
    if not isinstance(contact_id, int):
        raise PermanentJobError(f"timer job {job.id} names no contact: {job.payload!r}")
    now = container.clock()
    with container.uow() as uow:
        locked = lock(container, uow, contact_id)
        if locked is None or locked.row.id != job.conversation_id:
            return None  # the conversation is gone or was replaced: nothing to fire
        before = locked.conversation.state
        local = lead_now(now, locked.contact.phone, locked.contact.timezone)
        scope = TurnScope(
            uow, locked.contact, locked.row, local, f"timer:{job.id}", policy_of(container)
        )
        applied = run(locked, TimerFired(job.kind), scope)
        if applied.status == Status.COLD.value and locked.script.timers.drip is not None:
            drip.enrol(
                container,
                uow,
                locked.contact,
                locked.row,
                locked.script.timers.drip,
                now,
                why="cold",
            )
        if applied.status != before:
            audit.record(
                uow.session,
                actor_id=None,
                action="conversation.timer",
                subject=("contact", contact_id),
                at=now,
                kind=job.kind,
                status=applied.status,
            )
        uow.commit()
    return None
