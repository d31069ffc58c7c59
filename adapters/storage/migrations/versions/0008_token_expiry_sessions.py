"""Issue 14: tokens expire and say when they were last used; console sessions are rows of
their own kind (never API bearer tokens), with the browser that holds them.

Existing console tokens were API credentials in a cookie: they are revoked.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 15:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("console", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("user_agent", sa.String(length=300), nullable=True))
    op.execute(
        "UPDATE api_tokens SET revoked_at = created_at "
        "WHERE name = 'console' AND revoked_at IS NULL"
    )
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("console", server_default=None)


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("user_agent")
        batch.drop_column("console")
        batch.drop_column("expires_at")
