"""The audit log: every change, who made it and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from adapters.storage.orm import AuditEntry


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    subject: tuple[str, object],
    at: datetime,
    **details: Any,
) -> None:
    """Add one audit entry to the session's transaction (committed with the change)."""
    kind, ident = subject
    session.add(
        AuditEntry(
            actor_id=actor_id,
            action=action,
            subject_type=kind,
            subject_id=str(ident),
            details=details,
            at=at,
        )
    )
