"""The worker: runs due jobs (timers, sends), each claimed by one worker under a lease.

A worker claims a batch of due jobs in one short transaction (PostgreSQL:
``FOR UPDATE SKIP LOCKED``, so any number of ``isa worker`` processes take
disjoint rows; SQLite: one guarded ``UPDATE … RETURNING``), then runs each
job on its own:

- done → the row is deleted, only while this worker still holds it;
- deferred (a handler returns an instant: quiet hours, a cap) → due again
  then, not counted as an attempt;
- failed → retried with exponential backoff, parked after ``max_attempts``
  (``PermanentJobError``: parked at once), where ``isa worker --parked`` shows it.

A worker killed mid-job leaves its lease, which runs out; another worker
then takes the job again. That is why every handler is idempotent: a send
goes through the provider with the message's idempotency key, and a timer is
decided by the core against the conversation as it is now (a timer that fires
after the conversation moved on does nothing).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from adapters.storage.jobs import DEFAULT_LEASE
from adapters.storage.orm import Job
from api.container import Container

log = logging.getLogger("isa.worker")

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)


class PermanentJobError(Exception):
    """Retrying cannot help (an unknown kind, a payload naming nothing): park at once."""


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """What a handler needs of a job, copied out of the claiming transaction."""

    id: int
    kind: str
    payload: dict[str, Any]
    conversation_id: int | None
    attempts: int
    claimed_by: str | None = None  # the worker holding it: a handler may complete it itself

    @classmethod
    def of(cls, job: Job) -> ClaimedJob:
        """A plain copy of a claimed row."""
        return cls(
            job.id, job.kind, dict(job.payload), job.conversation_id, job.attempts, job.locked_by
        )


class Done(Enum):
    """A handler's answer when it deleted its job itself, in the transaction that did the work."""

    COMPLETED = "completed"


Handler = Callable[[Container, ClaimedJob], datetime | Done | None]
"""Runs one job; returns None when done, ``Done.COMPLETED`` when done and its row deleted
already, or the instant to run it again (a deferral)."""


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … up to an hour: the wait before retry number ``attempts``."""
    wait: timedelta = BACKOFF_BASE * 2 ** min(max(attempts - 1, 0), 10)
    return min(wait, BACKOFF_CAP)


def default_name() -> str:
    """host:pid:random, so an operator can tell workers apart in the jobs table."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class Worker:
    """Claims and runs due jobs for one container."""

    container: Container
    handlers: dict[str, Handler]
    name: str = field(default_factory=default_name)
    batch: int = 50
    max_attempts: int = 5
    lease: timedelta = DEFAULT_LEASE  # a job held longer is taken to have died with its worker

    def run_once(self) -> int:
        """Claim the jobs due now and run them; how many were claimed."""
        now = self.container.clock()
        with self.container.uow() as uow:
            jobs = [
                ClaimedJob.of(j)
                for j in uow.jobs.claim(now, self.batch, self.name, lease=self.lease)
            ]
            uow.commit()
        for job in jobs:
            self.run(job)
        return len(jobs)

    def send_now(self, message_ids: Collection[int]) -> int:
        """Run the send jobs of texts a request just queued, without waiting for a poll."""
        now = self.container.clock()
        with self.container.uow() as uow:
            jobs = [
                ClaimedJob.of(j)
                for j in uow.jobs.claim_sends(message_ids, now, self.name, lease=self.lease)
            ]
            uow.commit()
        for job in jobs:
            self.run(job)
        return len(jobs)

    def run(self, job: ClaimedJob) -> None:
        """Run one claimed job and record how it ended."""
        try:
            handler = self.handlers.get(job.kind)
            if handler is None:
                raise PermanentJobError(f"no handler for jobs of kind {job.kind!r}")
            later = handler(self.container, job)
        except PermanentJobError as e:
            log.error("job %s (%s) parked: %s", job.id, job.kind, e)
            with self.container.uow() as uow:
                uow.jobs.park(job.id, str(e))
                uow.commit()
        except Exception as e:  # any other failure is retried, then parked
            retry_at = self.container.clock() + backoff(job.attempts)
            with self.container.uow() as uow:
                parked = uow.jobs.fail(
                    job.id, f"{type(e).__name__}: {e}", retry_at, max_attempts=self.max_attempts
                )
                uow.commit()
            log.warning(
                "job %s (%s) failed (attempt %s)%s: %s",
                job.id,
                job.kind,
                job.attempts,
                ", parked" if parked else f", retry at {retry_at:%H:%M:%S}",
                e,
            )
        else:
            if later is Done.COMPLETED:
                return
            with self.container.uow() as uow:
                if later is None:
                    uow.jobs.complete(job.id, self.name)
                else:
                    uow.jobs.defer(job.id, later)
                uow.commit()

    def run_until(self, stop: threading.Event, idle: float = 0.5) -> None:
        """Poll until ``stop`` is set: straight on while there is work, ``idle`` s between."""
        log.info("worker %s started", self.name)
        while not stop.is_set():
            try:
                busy = self.run_once() > 0
            except Exception:  # the database went away: say so, wait, try again
                log.exception("worker %s could not claim jobs", self.name)
                busy = False
            if not busy:
                stop.wait(idle)
        log.info("worker %s stopped", self.name)


@dataclass
class BackgroundWorker:
    """A worker on a daemon thread: ``isa serve``'s own on the embedded default."""

    worker: Worker
    idle: float = 0.5
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        """Start polling on a thread of its own."""
        self._thread = threading.Thread(
            target=self.worker.run_until,
            args=(self._stop, self.idle),
            name="isa-worker",
            daemon=True,
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask it to stop and wait for the job in hand to end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
