"""Issue 15: routing rules. Agents may be marked away; an offer records the rule (and the
group's round robin) that made it; each group's round-robin position is a row.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 21:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("away", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("users") as batch:
        batch.alter_column("away", server_default=None)
    with op.batch_alter_table("assignments") as batch:
        batch.add_column(sa.Column("rule", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("route_group", sa.String(length=100), nullable=True))
    op.create_table(
        "routing_cursors",
        sa.Column("group_name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("group_name", name=op.f("pk_routing_cursors")),
    )


def downgrade() -> None:
    """Undo this revision."""
    op.drop_table("routing_cursors")
    with op.batch_alter_table("assignments") as batch:
        batch.drop_column("route_group")
        batch.drop_column("rule")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("away")
