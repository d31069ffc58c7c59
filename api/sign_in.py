"""Sign-in checks shared by ``POST /auth/login`` and the console: throttled, audited, and as
slow for an unknown e-mail as for a known one.

Each failure counts against the e-mail tried (``account:…``, whether or not it
is a user, so answers reveal nothing) and the client's address
(``address:…``). After ``FREE_FAILURES`` a key waits ``delay(n)`` before the
next try (1 s, doubling to 15 min); at ``LOCK_AFTER`` failures an account is
locked until a coordinator or admin lifts it (``POST /users/{id}/unlock``,
``isa users unlock``). Counts live in the database, so every API process sees
them; a key quiet for ``FORGET_AFTER`` starts again from zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import select

from adapters.storage import audit
from adapters.storage.orm import SignInThrottle, User
from adapters.storage.repositories import insert_ignoring_conflicts
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork
from api.container import Container
from api.security import hash_password, verify_password

FREE_FAILURES = 3
MAX_DELAY = timedelta(minutes=15)
LOCK_AFTER = 20
FORGET_AFTER = timedelta(hours=24)


def delay(failures: int) -> timedelta:
    """How long a key waits after its ``failures``-th failure."""
    if failures <= FREE_FAILURES:
        return timedelta(0)
    return min(timedelta(seconds=2 ** (failures - FREE_FAILURES - 1)), MAX_DELAY)


class Throttled(Exception):
    """Too many failures: try again after ``retry_after`` seconds, or ask for an unlock."""

    def __init__(self, retry_after: int, locked: bool) -> None:
        self.retry_after, self.locked = retry_after, locked
        super().__init__(
            "too many failed sign-ins: this account is locked; a coordinator or admin can unlock it"
            if locked
            else f"too many failed sign-ins: try again in {retry_after} s"
        )


@dataclass(frozen=True)
class Attempt:
    """One sign-in: the e-mail typed, the client's address, and through what."""

    email: str
    address: str
    via: str  # "api" or "console"


@cache
def _dummy_hash() -> str:
    return hash_password("not a password anyone has")


def _keys(attempt: Attempt) -> tuple[str, str]:
    return (f"account:{attempt.email}"[:300], f"address:{attempt.address}"[:300])


def authenticate(
    container: Container, uow: SqlAlchemyUnitOfWork, attempt: Attempt, password: str
) -> User | None:
    """The active user whose password this is, or None (the failure recorded); Throttled
    while the e-mail or the address must wait. The caller commits."""
    now = container.clock()
    rows = [_row(uow, key, now) for key in _keys(attempt)]
    waits = [r for r in rows if r.locked or (r.blocked_until is not None and r.blocked_until > now)]
    if waits:
        locked = any(r.locked for r in waits)
        until = max((r.blocked_until for r in waits if r.blocked_until), default=now)
        raise Throttled(max(1, int((until - now).total_seconds() + 0.999)), locked)
    user = uow.session.scalar(select(User).where(User.email == attempt.email))
    stored = user.password_hash if user is not None and user.password_hash else None
    # scrypt runs for unknown e-mails too: the answer's time tells nothing
    matched = verify_password(password, stored or _dummy_hash()) and stored is not None
    if matched and user is not None and user.active:
        rows[0].failures, rows[0].blocked_until = 0, None
        return user
    for row in rows:
        row.failures += 1
        row.last_failure_at = now
        row.blocked_until = now + delay(row.failures) if delay(row.failures) else None
    rows[0].locked = rows[0].failures >= LOCK_AFTER
    audit.record(
        uow.session,
        actor_id=None,
        action="sign_in.failed",
        subject=("user", user.id) if user is not None else ("email", attempt.email[:40]),
        at=now,
        email=attempt.email,
        address=attempt.address,
        via=attempt.via,
        failures=rows[0].failures,
        locked=rows[0].locked,
    )
    return None


def _row(uow: SqlAlchemyUnitOfWork, key: str, now: datetime) -> SignInThrottle:
    """The key's row, locked for this transaction (made if missing, forgotten if stale)."""
    stmt = insert_ignoring_conflicts(uow.session, SignInThrottle.__table__, "key")
    uow.session.execute(
        stmt.values(key=key, failures=0, last_failure_at=now, blocked_until=None, locked=False)
    )
    row = uow.session.scalar(
        select(SignInThrottle)
        .where(SignInThrottle.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert row is not None  # inserted above
    if not row.locked and row.last_failure_at < now - FORGET_AFTER:
        row.failures, row.blocked_until = 0, None
    return row


def unlock(
    container: Container, uow: SqlAlchemyUnitOfWork, user: User, actor_id: int | None
) -> bool:
    """Lift ``user``'s lockout and delay; True if there was one. The caller commits."""
    row = uow.session.get(SignInThrottle, f"account:{user.email}", with_for_update=True)
    if row is None:
        return False
    was = row.locked or row.failures > 0
    row.failures, row.blocked_until, row.locked = 0, None, False
    audit.record(
        uow.session,
        actor_id=actor_id,
        action="sign_in.unlock",
        subject=("user", user.id),
        at=container.clock(),
    )
    return was
