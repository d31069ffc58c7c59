"""Conversations know which of our texts have not left yet; a queued text can be withdrawn.

The cold timer now counts from the moment our text *left*, and a reply still owed keeps a
lead from going cold (DESIGN.md "Statuses"). A conversation keeps ``unsent`` (the core's
keys of texts proposed or queued, not yet sent), ``last_sent`` (so no text goes twice in a
row) and ``proposed_day`` (a day named without a time); a message keeps the core's
``text_key``; ``cancelled`` is a delivery status for a text withdrawn before it left.
Pending suggestions of existing conversations are carried into ``unsent``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 14:00:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = ("received", "queued", "accepted", "sending", "sent", "delivered", "undelivered", "failed")
NEW = (*OLD, "cancelled")


def _status(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(
        *values, name="delivery_status", native_enum=False, create_constraint=True, length=20
    )


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("unsent", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("last_sent", sa.Text(), nullable=True))
        batch.add_column(sa.Column("proposed_day", sa.String(length=10), nullable=True))
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("text_key", sa.String(length=40), nullable=True))
        batch.alter_column(
            "delivery_status", existing_type=_status(OLD), type_=_status(NEW), nullable=False
        )
    _carry_pending_suggestions()


def _carry_pending_suggestions() -> None:
    """Suggestions waiting in the queue are texts owed: each conversation's go in ``unsent``."""
    bind = op.get_bind()
    owed: dict[int, dict[str, dict[str, str | None]]] = {}
    for conversation_id, key, text, asks in bind.execute(
        sa.text("SELECT conversation_id, key, text, asks FROM suggestions WHERE state = 'pending'")
    ):
        owed.setdefault(conversation_id, {})[key] = {"text": text, "asks": asks}
    update = sa.text("UPDATE conversations SET unsent = :unsent WHERE id = :id")
    for conversation_id, unsent in owed.items():
        bind.execute(update, {"unsent": json.dumps(unsent), "id": conversation_id})


def downgrade() -> None:
    """Undo this revision (cancelled texts become failed ones)."""
    op.execute("UPDATE messages SET delivery_status = 'failed' WHERE delivery_status = 'cancelled'")
    with op.batch_alter_table("messages") as batch:
        batch.alter_column(
            "delivery_status", existing_type=_status(NEW), type_=_status(OLD), nullable=False
        )
        batch.drop_column("text_key")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("proposed_day")
        batch.drop_column("last_sent")
        batch.drop_column("unsent")
