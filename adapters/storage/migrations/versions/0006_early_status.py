"""Issue 14: delivery statuses that arrive before their message's sid is stored are kept.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 15:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = (
    "received", "queued", "accepted", "sending", "sent", "delivered", "undelivered", "failed",
    "cancelled",
)  # fmt: skip


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "early_statuses",
        sa.Column("message_sid", sa.String(length=64), primary_key=True),
        sa.Column(
            "delivery_status",
            sa.Enum(
                *STATUSES,
                name="delivery_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Undo this revision."""
    op.drop_table("early_statuses")
