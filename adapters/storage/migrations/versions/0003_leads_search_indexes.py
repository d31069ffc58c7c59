"""Leads search on a million contacts: a filter and newest-first in one index, the contact's
owner beside its id, and on PostgreSQL a trigram index for fragments of names and phones.

``python -m bench.leads`` measures what these serve (EXPLAIN in its ``--explain``):

- ``lead_status``, ``source`` and ``priority`` with ``received_at``: a filtered page, newest
  first, is read from the index in order instead of sorting every match; the count reads
  the index alone. They replace the single-column indexes, whose work they do.
- ``(contact_id, owner_id)``: the foreign key's index, and the probe "does this contact have
  an owner", which SQLite otherwise answered by reading all of an agent's leads per row.
- ``ix_contacts_search_trgm``: ``first_name``, ``last_name``, ``email`` and ``phone``
  ``ILIKE '%…%'`` through pg_trgm's GIN operator class. SQLite has neither; there the index
  is an empty partial one (``WHERE 0``) so the models and the migrations agree.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCHED = ["first_name", "last_name", "email", "phone"]
REPLACED = ["lead_status", "source", "priority"]  # each (column, received_at) now


def _trigram_ops() -> str:
    """pg_trgm's operator class, created if need be, named with the schema it lives in.

    Made in ``public`` when missing (a server that keeps extensions elsewhere has it
    there already), and named in full so a migration run with another ``search_path``
    still finds it.
    """
    bind = op.get_bind()
    bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    schema = bind.exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
        " WHERE e.extname = 'pg_trgm'"
    ).scalar_one()
    return f'"{schema}".gin_trgm_ops'


def upgrade() -> None:
    """Apply this revision."""
    if op.get_bind().dialect.name == "postgresql":
        ops = _trigram_ops()
        op.create_index(
            "ix_contacts_search_trgm",
            "contacts",
            SEARCHED,
            postgresql_using="gin",
            postgresql_ops=dict.fromkeys(SEARCHED, ops),
        )
    else:
        op.create_index("ix_contacts_search_trgm", "contacts", SEARCHED, sqlite_where=sa.text("0"))
    for column in REPLACED:
        op.create_index(f"ix_inquiries_{column}_received", "inquiries", [column, "received_at"])
        op.drop_index(f"ix_inquiries_{column}", table_name="inquiries")
    op.create_index("ix_inquiries_contact_owner", "inquiries", ["contact_id", "owner_id"])
    op.drop_index("ix_inquiries_contact_id", table_name="inquiries")


def downgrade() -> None:
    """Undo this revision (pg_trgm stays: other things may use it)."""
    op.create_index("ix_inquiries_contact_id", "inquiries", ["contact_id"])
    op.drop_index("ix_inquiries_contact_owner", table_name="inquiries")
    for column in REPLACED:
        op.create_index(f"ix_inquiries_{column}", "inquiries", [column])
        op.drop_index(f"ix_inquiries_{column}_received", table_name="inquiries")
    op.drop_index("ix_contacts_search_trgm", table_name="contacts")
