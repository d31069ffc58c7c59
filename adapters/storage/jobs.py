"""``JobRepository``: durable timers and the outbox, claimed by workers with a lease.

A claim marks due rows as taken (``locked_by``, ``locked_until``) and commits,
so the work itself runs outside any lock; a worker that dies leaves a lease
that runs out, and another worker retries the job. Each claim counts as an
attempt, so a job that kills its worker is parked after ``max_attempts``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from adapters.storage.orm import Job

DEFAULT_LEASE = timedelta(minutes=5)
SEND = "send"
"""The kind of the job that sends one outbound text (payload ``{"message_id": …}``)."""
ASSIGNED = "assigned"
"""The kind of the job that e-mails an agent the lead offered to them (``{"assignment_id"}``)."""
NEW_LEAD = "new_lead"
"""The kind of the job that tells the owning agent of a new lead (``{"inquiry_id": …}``)."""


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
        at: datetime,
        conversation_id: int | None = None,
    ) -> Job:
        """A job made at ``at`` to run at ``due_at``, in the caller's transaction (the outbox)."""
        job = Job(
            kind=kind,
            due_at=due_at,
            payload=payload or {},
            conversation_id=conversation_id,
            created_at=at,
        )
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

    def claim_sends(
        self,
        message_ids: Collection[int],
        now: datetime,
        worker: str,
        *,
        lease: timedelta = DEFAULT_LEASE,
    ) -> list[Job]:
        """Take the due send jobs of these messages now (a request that just queued them).

        Only jobs no other worker holds are taken, by the same guarded UPDATE as
        ``claim``: a text is never in two senders' hands.
        """
        if not message_ids:
            return []
        claimed = self.session.scalars(
            update(Job)
            .where(
                _claimable(now),
                Job.kind == SEND,
                Job.payload["message_id"].as_integer().in_(list(message_ids)),
            )
            .values(locked_by=worker, locked_until=now + lease, attempts=Job.attempts + 1)
            .returning(Job)
            .execution_options(synchronize_session=False, populate_existing=True)
        )
        return sorted(claimed, key=lambda j: (j.due_at, j.id))

    def complete(self, job_id: int, worker: str | None = None) -> bool:
        """The job is done: its row goes (what it did is recorded elsewhere).

        With ``worker``, only while that worker still holds it: a worker whose
        lease ran out and was taken over completes nothing. True if it went.
        """
        where = [Job.id == job_id] + ([Job.locked_by == worker] if worker else [])
        result = self.session.execute(
            delete(Job).where(*where).execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    def defer(self, job_id: int, until: datetime) -> None:
        """Run the job later without counting this run as an attempt (quiet hours, a cap)."""
        self.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(
                due_at=until,
                locked_by=None,
                locked_until=None,
                attempts=func.max(Job.attempts - 1, 0)
                if self.session.get_bind().dialect.name == "sqlite"
                else func.greatest(Job.attempts - 1, 0),
            )
            .execution_options(synchronize_session=False)
        )

    def park(self, job_id: int, error: str) -> None:
        """Give up on the job now (retrying cannot help); it stays where an operator sees it."""
        self.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(parked=True, last_error=error[:4000], locked_by=None, locked_until=None)
            .execution_options(synchronize_session=False)
        )

    def parked(self) -> list[Job]:
        """Jobs given up on, newest first: what an operator looks at."""
        return list(
            self.session.scalars(select(Job).where(Job.parked.is_(True)).order_by(Job.id.desc()))
        )

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
        """Drop the conversation's timers not yet claimed (all kinds when ``kinds`` is empty).

        Send jobs stay: a text's fate is its message's status (a cancelled text
        is marked failed, and its job then does nothing), so the one confirmation
        after an opt-out, queued in the same turn, still goes. A job already
        claimed is left to finish: the send path re-checks the contact (dead?)
        inside its own transaction before texting.
        """
        where: list[ColumnElement[bool]] = [
            Job.conversation_id == conversation_id,
            Job.locked_by.is_(None),
            Job.kind != SEND,
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
