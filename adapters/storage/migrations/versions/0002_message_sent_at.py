"""Messages: when each text actually left, for rolling caps (a deferred text is sent later
than it was queued).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_messages_contact_sent", ["contact_id", "sent_at"])


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("messages") as batch:
        batch.drop_index("ix_messages_contact_sent")
        batch.drop_column("sent_at")
