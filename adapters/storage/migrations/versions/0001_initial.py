"""Initial schema: contacts, leads, users, conversations, messages, jobs, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 09:10:33.250182
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "campaigns",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_campaigns_name_version")),
    )
    op.create_table(
        "contacts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("last_name", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("zip", sa.String(length=10), nullable=True),
        sa.Column("state", sa.String(length=2), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("dead", sa.Boolean(), nullable=False),
        sa.Column("dead_reason", sa.String(length=200), nullable=True),
        sa.Column("dead_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("phone", name=op.f("uq_contacts_phone")),
    )
    op.create_index(op.f("ix_contacts_email"), "contacts", ["email"], unique=False)

    op.create_table(
        "users",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "coordinator",
                "isa",
                "agent",
                "author",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("last_name", sa.String(length=100), nullable=True),
        sa.Column("cell_phone", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_index(op.f("ix_users_role"), "users", ["role"], unique=False)

    op.create_table(
        "api_tokens",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("token_hash", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("actor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=40), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_audit_log_actor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_actor_id"), "audit_log", ["actor_id"], unique=False)
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_index(
        "ix_audit_log_subject", "audit_log", ["subject_type", "subject_id"], unique=False
    )

    op.create_table(
        "consent_records",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "contact_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reference", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_consent_records_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_records")),
    )
    op.create_index(
        op.f("ix_consent_records_contact_id"), "consent_records", ["contact_id"], unique=False
    )

    op.create_table(
        "conversations",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "contact_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("agent_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("script_name", sa.String(length=60), nullable=False),
        sa.Column("script_version", sa.Integer(), nullable=False),
        sa.Column("contact_name", sa.String(length=100), nullable=False),
        sa.Column("agent_name", sa.String(length=100), nullable=False),
        sa.Column("agent_last", sa.String(length=100), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "cold",
                "appointment",
                "engaged",
                "agent",
                "dead",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("awaiting", sa.String(length=60), nullable=True),
        sa.Column("slots", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("asked", sa.JSON(), nullable=False),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.Column("outcomes", sa.JSON(), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("resume_status", sa.String(length=20), nullable=True),
        sa.Column("final_text_sent", sa.Boolean(), nullable=False),
        sa.Column("last_inbound_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_outbound_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["users.id"], name=op.f("fk_conversations_agent_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_conversations_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    op.create_index(op.f("ix_conversations_agent_id"), "conversations", ["agent_id"], unique=False)
    op.create_index(
        op.f("ix_conversations_contact_id"), "conversations", ["contact_id"], unique=False
    )
    op.create_index(
        "ix_conversations_script", "conversations", ["script_name", "script_version"], unique=False
    )
    op.create_index(op.f("ix_conversations_status"), "conversations", ["status"], unique=False)

    op.create_table(
        "enrollments",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "contact_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "campaign_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "state",
            sa.Enum(
                "active",
                "stopped",
                "finished",
                name="enrollment_state",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "stopped_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_enrollments_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_enrollments_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["stopped_by_id"], ["users.id"], name=op.f("fk_enrollments_stopped_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollments")),
        sa.UniqueConstraint(
            "contact_id", "campaign_id", name=op.f("uq_enrollments_contact_id_campaign_id")
        ),
    )
    op.create_index(
        op.f("ix_enrollments_campaign_id"), "enrollments", ["campaign_id"], unique=False
    )
    op.create_index(op.f("ix_enrollments_state"), "enrollments", ["state"], unique=False)

    op.create_table(
        "inquiries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "contact_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("inquiry_type", sa.String(length=40), nullable=False),
        sa.Column("property_address", sa.String(length=300), nullable=True),
        sa.Column("property_state", sa.String(length=2), nullable=True),
        sa.Column("property_zip", sa.String(length=10), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column(
            "lead_status",
            sa.Enum(
                "active",
                "inactive",
                name="lead_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("contact_status", sa.String(length=40), nullable=True),
        sa.Column("contact_type", sa.String(length=40), nullable=True),
        sa.Column("business_source", sa.String(length=60), nullable=True),
        sa.Column("interest_level", sa.SmallInteger(), nullable=True),
        sa.Column(
            "priority",
            sa.Enum(
                "hot",
                "warm",
                "cold",
                "dead",
                name="priority",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("time_frame", sa.String(length=40), nullable=True),
        sa.Column("owner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "interest_level BETWEEN 0 AND 5", name=op.f("ck_inquiries_interest_level_0_5")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_inquiries_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_inquiries_owner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiries")),
    )
    op.create_index(
        op.f("ix_inquiries_business_source"), "inquiries", ["business_source"], unique=False
    )
    op.create_index(op.f("ix_inquiries_contact_id"), "inquiries", ["contact_id"], unique=False)
    op.create_index(
        op.f("ix_inquiries_contact_status"), "inquiries", ["contact_status"], unique=False
    )
    op.create_index(op.f("ix_inquiries_contact_type"), "inquiries", ["contact_type"], unique=False)
    op.create_index(op.f("ix_inquiries_inquiry_type"), "inquiries", ["inquiry_type"], unique=False)
    op.create_index(
        op.f("ix_inquiries_interest_level"), "inquiries", ["interest_level"], unique=False
    )
    op.create_index(op.f("ix_inquiries_lead_status"), "inquiries", ["lead_status"], unique=False)
    op.create_index(
        "ix_inquiries_owner_received", "inquiries", ["owner_id", "received_at"], unique=False
    )
    op.create_index(op.f("ix_inquiries_priority"), "inquiries", ["priority"], unique=False)
    op.create_index(op.f("ix_inquiries_property_zip"), "inquiries", ["property_zip"], unique=False)
    op.create_index(op.f("ix_inquiries_received_at"), "inquiries", ["received_at"], unique=False)
    op.create_index(op.f("ix_inquiries_source"), "inquiries", ["source"], unique=False)
    op.create_index(op.f("ix_inquiries_time_frame"), "inquiries", ["time_frame"], unique=False)

    op.create_table(
        "notes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "contact_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("author_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_notes_author_id_users")),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_notes_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )
    op.create_index(op.f("ix_notes_contact_id"), "notes", ["contact_id"], unique=False)

    op.create_table(
        "shares",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "contact_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("agent_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "shared_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["users.id"], name=op.f("fk_shares_agent_id_users")),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_shares_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["shared_by_id"], ["users.id"], name=op.f("fk_shares_shared_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shares")),
        sa.UniqueConstraint("contact_id", "agent_id", name=op.f("uq_shares_contact_id_agent_id")),
    )
    op.create_index(op.f("ix_shares_agent_id"), "shares", ["agent_id"], unique=False)

    op.create_table(
        "assignments",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "contact_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "inquiry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("agent_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "assigned_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "state",
            sa.Enum(
                "offered",
                "accepted",
                "rejected",
                name="assignment_state",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("reject_reason", sa.String(length=300), nullable=True),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["users.id"], name=op.f("fk_assignments_agent_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"], ["users.id"], name=op.f("fk_assignments_assigned_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_assignments_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["inquiry_id"], ["inquiries.id"], name=op.f("fk_assignments_inquiry_id_inquiries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
    )
    op.create_index(op.f("ix_assignments_agent_id"), "assignments", ["agent_id"], unique=False)
    op.create_index(op.f("ix_assignments_contact_id"), "assignments", ["contact_id"], unique=False)
    op.create_index(op.f("ix_assignments_inquiry_id"), "assignments", ["inquiry_id"], unique=False)
    op.create_index(op.f("ix_assignments_state"), "assignments", ["state"], unique=False)

    op.create_table(
        "jobs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column(
            "conversation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("locked_by", sa.String(length=100), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("parked", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_jobs_conversation_id_conversations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index(op.f("ix_jobs_conversation_id"), "jobs", ["conversation_id"], unique=False)
    op.create_index(op.f("ix_jobs_due_at"), "jobs", ["due_at"], unique=False)

    op.create_table(
        "outcomes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "conversation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "appointment",
                "engagement",
                "update",
                name="outcome_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("slots", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("agent_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["users.id"], name=op.f("fk_outcomes_agent_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_outcomes_conversation_id_conversations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcomes")),
    )
    op.create_index(
        "ix_outcomes_agent_created", "outcomes", ["agent_id", "created_at"], unique=False
    )
    op.create_index(
        op.f("ix_outcomes_conversation_id"), "outcomes", ["conversation_id"], unique=False
    )
    op.create_index(op.f("ix_outcomes_kind"), "outcomes", ["kind"], unique=False)

    op.create_table(
        "suggestions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "conversation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("asks", sa.String(length=60), nullable=True),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("step", sa.String(length=60), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "approved",
                "edited",
                "rejected",
                "escalated",
                "expired",
                name="suggestion_state",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "decided_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reject_reason", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_suggestions_conversation_id_conversations"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_suggestions_decided_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestions")),
        sa.UniqueConstraint(
            "conversation_id", "key", name=op.f("uq_suggestions_conversation_id_key")
        ),
    )
    op.create_index(
        "ix_suggestions_state_created", "suggestions", ["state", "created_at"], unique=False
    )

    op.create_table(
        "messages",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "contact_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "conversation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "direction",
            sa.Enum(
                "in", "out", name="direction", native_enum=False, create_constraint=True, length=20
            ),
            nullable=False,
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("message_sid", sa.String(length=64), nullable=True),
        sa.Column(
            "delivery_status",
            sa.Enum(
                "received",
                "queued",
                "accepted",
                "sending",
                "sent",
                "delivered",
                "undelivered",
                "failed",
                name="delivery_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("sent_by", sa.String(length=100), nullable=True),
        sa.Column(
            "approved_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "typed_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "suggestion_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("script_step", sa.String(length=60), nullable=True),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_messages_approved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_messages_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_messages_conversation_id_conversations"),
        ),
        sa.ForeignKeyConstraint(
            ["suggestion_id"],
            ["suggestions.id"],
            name=op.f("fk_messages_suggestion_id_suggestions"),
        ),
        sa.ForeignKeyConstraint(
            ["typed_by_id"], ["users.id"], name=op.f("fk_messages_typed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_messages_idempotency_key")),
        sa.UniqueConstraint("message_sid", name=op.f("uq_messages_message_sid")),
    )
    op.create_index(
        "ix_messages_contact_created", "messages", ["contact_id", "created_at"], unique=False
    )
    op.create_index(
        op.f("ix_messages_conversation_id"), "messages", ["conversation_id"], unique=False
    )


def downgrade() -> None:
    """Undo this revision."""
    op.drop_index(op.f("ix_messages_conversation_id"), table_name="messages")
    op.drop_index("ix_messages_contact_created", table_name="messages")

    op.drop_table("messages")
    op.drop_index("ix_suggestions_state_created", table_name="suggestions")

    op.drop_table("suggestions")
    op.drop_index(op.f("ix_outcomes_kind"), table_name="outcomes")
    op.drop_index(op.f("ix_outcomes_conversation_id"), table_name="outcomes")
    op.drop_index("ix_outcomes_agent_created", table_name="outcomes")

    op.drop_table("outcomes")
    op.drop_index(op.f("ix_jobs_due_at"), table_name="jobs")
    op.drop_index(op.f("ix_jobs_conversation_id"), table_name="jobs")

    op.drop_table("jobs")
    op.drop_index(op.f("ix_assignments_state"), table_name="assignments")
    op.drop_index(op.f("ix_assignments_inquiry_id"), table_name="assignments")
    op.drop_index(op.f("ix_assignments_contact_id"), table_name="assignments")
    op.drop_index(op.f("ix_assignments_agent_id"), table_name="assignments")

    op.drop_table("assignments")
    op.drop_index(op.f("ix_shares_agent_id"), table_name="shares")

    op.drop_table("shares")
    op.drop_index(op.f("ix_notes_contact_id"), table_name="notes")

    op.drop_table("notes")
    op.drop_index(op.f("ix_inquiries_time_frame"), table_name="inquiries")
    op.drop_index(op.f("ix_inquiries_source"), table_name="inquiries")
    op.drop_index(op.f("ix_inquiries_received_at"), table_name="inquiries")
    op.drop_index(op.f("ix_inquiries_property_zip"), table_name="inquiries")
    op.drop_index(op.f("ix_inquiries_priority"), table_name="inquiries")
    op.drop_index("ix_inquiries_owner_received", table_name="inquiries")
    op.drop_index(op.f("ix_inquiries_lead_status"), table_name="inquiries")
    op.drop_index(op.f("ix_inquiries_interest_level"), table_name="inquiries")
    op.drop_index(op.f("ix_inquiries_inquiry_type"), table_name="inquiries")
    op.drop_index(op.f("ix_inquiries_contact_type"), table_name="inquiries")
    op.drop_index(op.f("ix_inquiries_contact_status"), table_name="inquiries")
    op.drop_index(op.f("ix_inquiries_contact_id"), table_name="inquiries")
    op.drop_index(op.f("ix_inquiries_business_source"), table_name="inquiries")

    op.drop_table("inquiries")
    op.drop_index(op.f("ix_enrollments_state"), table_name="enrollments")
    op.drop_index(op.f("ix_enrollments_campaign_id"), table_name="enrollments")

    op.drop_table("enrollments")
    op.drop_index(op.f("ix_conversations_status"), table_name="conversations")
    op.drop_index("ix_conversations_script", table_name="conversations")
    op.drop_index(op.f("ix_conversations_contact_id"), table_name="conversations")
    op.drop_index(op.f("ix_conversations_agent_id"), table_name="conversations")

    op.drop_table("conversations")
    op.drop_index(op.f("ix_consent_records_contact_id"), table_name="consent_records")

    op.drop_table("consent_records")
    op.drop_index("ix_audit_log_subject", table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_actor_id"), table_name="audit_log")

    op.drop_table("audit_log")
    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens")

    op.drop_table("api_tokens")
    op.drop_index(op.f("ix_users_role"), table_name="users")

    op.drop_table("users")
    op.drop_index(op.f("ix_contacts_email"), table_name="contacts")

    op.drop_table("contacts")
    op.drop_table("campaigns")
