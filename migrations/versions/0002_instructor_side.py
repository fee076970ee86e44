"""The instructor side: policy overrides, extensions, regrade batches, audit; account fields.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Timestamp = sa.DateTime(timezone=True)
Document = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "assignment_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_slug", sa.String(64), nullable=False),
        sa.Column("due", Timestamp, nullable=True),
        sa.Column("hard_close", Timestamp, nullable=True),
        sa.Column("late_penalty_per_day", sa.Float(), nullable=True),
        sa.Column("late_penalty_cap", sa.Float(), nullable=True),
        sa.Column("max_submissions_per_day", sa.Integer(), nullable=True),
        sa.Column("score_policy", sa.String(8), nullable=True),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.CheckConstraint("score_policy IN ('best', 'last')",
                           name=op.f("ck_assignment_policies_score_policy")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_policies")),
        sa.UniqueConstraint("assignment_slug",
                            name=op.f("uq_assignment_policies_assignment_slug")),
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(255), nullable=False),
        sa.Column("details", Document, nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"],
                                name=op.f("fk_audit_entries_actor_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    op.create_index(op.f("ix_audit_entries_at"), "audit_entries", ["at"])
    op.create_table(
        "extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assignment_slug", sa.String(64), nullable=False),
        sa.Column("due", Timestamp, nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(["granted_by_id"], ["users.id"],
                                name=op.f("fk_extensions_granted_by_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_extensions_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extensions")),
        sa.UniqueConstraint("user_id", "assignment_slug", name=op.f("uq_extensions_user_id")),
    )
    op.create_table(
        "regrade_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_slug", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(128), nullable=False),
        sa.Column("submission_ids", Document, nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(["started_by_id"], ["users.id"],
                                name=op.f("fk_regrade_batches_started_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regrade_batches")),
    )
    op.create_index(op.f("ix_regrade_batches_assignment_slug"), "regrade_batches",
                    ["assignment_slug"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("name", sa.String(255), nullable=True))
        batch.add_column(sa.Column("email", sa.String(255), nullable=True))
        batch.add_column(sa.Column("disabled_at", Timestamp, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("disabled_at")
        batch.drop_column("email")
        batch.drop_column("name")
    op.drop_index(op.f("ix_regrade_batches_assignment_slug"), table_name="regrade_batches")
    op.drop_table("regrade_batches")
    op.drop_table("extensions")
    op.drop_index(op.f("ix_audit_entries_at"), table_name="audit_entries")
    op.drop_table("audit_entries")
    op.drop_table("assignment_policies")
