"""Conversations know the language they are texted in, and the script version a language
switch left: a lead who writes in Spanish is moved to the script's Spanish version, the one
recorded re-pinning of a conversation (issue 16). Existing conversations are in English.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 15:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="en")
        )
        batch.add_column(sa.Column("switched_from", sa.String(length=80), nullable=True))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("switched_from")
        batch.drop_column("language")
