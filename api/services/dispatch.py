"""Every job kind and what runs it, and the container's own worker.

The registry sits above the handlers it names (drip, notify, outbox, timers), so none of
them imports it: a handler module imports only the worker's vocabulary
(``ClaimedJob``, ``PermanentJobError``) from ``worker``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select

from adapters.storage.jobs import ASSIGNED, NEW_LEAD, SEND
from adapters.storage.orm import Job
from api.container import Container
from api.services import drip, notify, outbox, routing, timers
from api.services.effects import ALERT_MAIL, ENROL, NOTIFY, REMIND
from api.services.worker import Handler, Worker


def handlers() -> dict[str, Handler]:
    """Every job kind the service knows and what runs it."""
    return {
        SEND: outbox.run_send_job,
        drip.DRIP: drip.run_drip_job,
        ENROL: drip.run_enrol_job,
        NOTIFY: notify.run_notify_job,
        ALERT_MAIL: notify.run_alert_job,
        notify.CRM: notify.run_crm_job,
        REMIND: notify.run_remind_job,
        NEW_LEAD: notify.run_new_lead_job,
        ASSIGNED: notify.run_assignment_job,
        routing.OFFER_TIMEOUT: routing.run_offer_timeout_job,
        **{kind: timers.run_timer_job for kind in timers.KINDS},
    }


def run_until(container: Container, until: datetime, move_to: Callable[[datetime], None]) -> int:
    """Run every job due by ``until`` at its due time, moving the clock to it (``move_to``),
    then move it to ``until``; how many jobs ran. For a clock that can be moved (dev, tests)."""
    worker, ran = worker_for(container), 0
    while True:
        while worker.run_once():
            ran += 1
        with container.uow(read_only=True) as uow:
            due = uow.session.scalar(
                select(func.min(Job.due_at)).where(Job.parked.is_(False), Job.due_at <= until)
            )
        if due is None or due <= container.clock():
            break
        move_to(due)
    move_to(until)
    while worker.run_once():
        ran += 1
    return ran


def worker_for(container: Container) -> Worker:
    """The container's own worker (the in-process one, and the one requests send through)."""
    found = container.extras.get("worker")
    if isinstance(found, Worker):
        return found
    worker = Worker(container, handlers())
    container.extras["worker"] = worker
    return worker
