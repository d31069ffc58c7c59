"""``JobRepository``: durable timers and the outbox, claimed by workers with a lease.

A claim marks due rows as taken (``locked_by``, ``locked_until``) and commits,
so the work itself runs outside any lock; a worker that dies leaves a lease
that runs out, and another worker retries the job. Each claim counts as an
attempt, so a job that kills its worker is parked after ``max_attempts``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, or_, select, update
from sqlalchemy.orm import Session

from adapters.storage.orm import Job

DEFAULT_LEASE = timedelta(minutes=5)


class JobRepository:
    """Jobs: add, claim, complete, fail, cancel."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        kind: str,
        due_at: datetime,
        payload: dict[str, Any] | None = None,
        *,
        conversation_id: int | None = None,
    ) -> Job:
        """A job to run at ``due_at``, written in the caller's transaction (the outbox)."""
        job = Job(kind=kind, due_at=due_at, payload=payload or {}, conversation_id=conversation_id)
        self.session.add(job)
        self.session.flush()
        return job

    def claim(
        self, now: datetime, limit: int, worker: str, *, lease: timedelta = DEFAULT_LEASE
    ) -> list[Job]:
        """Take up to ``limit`` due jobs, oldest first, for ``worker``; none is taken twice.

        PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` so concurrent workers
        take disjoint rows without waiting. SQLite: one ``UPDATE … RETURNING``,
        already alone under the ``BEGIN IMMEDIATE`` write lock.
        """
        due = select(Job.id).where(_claimable(now)).order_by(Job.due_at, Job.id).limit(limit)
        if self.session.get_bind().dialect.name == "postgresql":
            ids: Iterable[int] | Any = list(
                self.session.scalars(due.with_for_update(skip_locked=True))
            )
            if not ids:
                return []
        else:
            ids = due.scalar_subquery()
        claimed = self.session.scalars(
            update(Job)
            .where(Job.id.in_(ids))
            .values(locked_by=worker, locked_until=now + lease, attempts=Job.attempts + 1)
            .returning(Job)
            .execution_options(synchronize_session=False, populate_existing=True)
        )
        return sorted(claimed, key=lambda j: (j.due_at, j.id))

    def complete(self, job_id: int) -> None:
        """The job is done: its row goes (what it did is recorded elsewhere)."""
        self.session.execute(delete(Job).where(Job.id == job_id))

    def fail(self, job_id: int, error: str, retry_at: datetime, *, max_attempts: int = 5) -> bool:
        """Record a failure and retry at ``retry_at``, or park it; True when parked."""
        job = self.session.get(Job, job_id, with_for_update=True)
        if job is None:
            raise LookupError(f"no job {job_id}")
        job.last_error = error[:4000]
        job.locked_by, job.locked_until = None, None
        job.parked = job.attempts >= max_attempts
        if not job.parked:
            job.due_at = retry_at
        return job.parked

    def cancel(self, conversation_id: int, kinds: Sequence[str] = ()) -> int:
        """Drop the conversation's jobs not yet claimed (all kinds when ``kinds`` is empty).

        A job already claimed is left to finish: the send path must re-check the
        contact (dead?) inside its own transaction before texting.
        """
        where: list[ColumnElement[bool]] = [
            Job.conversation_id == conversation_id,
            Job.locked_by.is_(None),
        ]
        if kinds:
            where.append(Job.kind.in_(kinds))
        result = self.session.execute(
            delete(Job).where(*where).execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def pending(self) -> list[Job]:
        """Every job not parked, soonest first (for the console and tests)."""
        return list(
            self.session.scalars(select(Job).where(Job.parked.is_(False)).order_by(Job.due_at))
        )


def _claimable(now: datetime) -> ColumnElement[bool]:
    return and_(
        Job.due_at <= now,
        Job.parked.is_(False),
        or_(Job.locked_until.is_(None), Job.locked_until < now),
    )
