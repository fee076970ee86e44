"""The rules courses run on: a late-day bank, standing accommodations, regrade requests and
the points instructors adjust, partners (groups, their members, the group of a submission).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Timestamp = sa.DateTime(timezone=True)


def user_key(table: str, column: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["users.id"], ondelete=ondelete,
                                   name=op.f(f"fk_{table}_{column}_users"))


def upgrade() -> None:
    op.create_table(
        "late_day_bank",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.CheckConstraint("days >= 0", name=op.f("ck_late_day_bank_days")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_late_day_bank")),
    )
    op.create_table(
        "late_day_allowances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_slug", sa.String(64), nullable=False),
        sa.Column("max_days", sa.Integer(), nullable=False),
        sa.CheckConstraint("max_days >= 1", name=op.f("ck_late_day_allowances_max_days")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_late_day_allowances")),
        sa.UniqueConstraint("assignment_slug",
                            name=op.f("uq_late_day_allowances_assignment_slug")),
    )
    op.create_table(
        "late_day_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(255), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        user_key("late_day_grants", "user_id", "CASCADE"),
        user_key("late_day_grants", "granted_by_id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_late_day_grants")),
    )
    op.create_index(op.f("ix_late_day_grants_user_id"), "late_day_grants", ["user_id"])
    op.create_table(
        "accommodations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("extra_days", sa.Integer(), nullable=False),
        sa.Column("extra_submissions_per_day", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(255), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.CheckConstraint("extra_days >= 0", name=op.f("ck_accommodations_extra_days")),
        sa.CheckConstraint("extra_submissions_per_day >= 0",
                           name=op.f("ck_accommodations_extra_submissions_per_day")),
        user_key("accommodations", "user_id", "CASCADE"),
        user_key("accommodations", "granted_by_id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accommodations")),
        sa.UniqueConstraint("user_id", name=op.f("uq_accommodations_user_id")),
    )
    op.create_table(
        "regrade_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("test_name", sa.String(255), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", Timestamp, nullable=True),
        sa.CheckConstraint("status IN ('open', 'answered')",
                           name=op.f("ck_regrade_requests_status")),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"], ondelete="CASCADE",
                                name=op.f("fk_regrade_requests_submission_id_submissions")),
        user_key("regrade_requests", "user_id", "CASCADE"),
        user_key("regrade_requests", "answered_by_id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regrade_requests")),
    )
    op.create_index(op.f("ix_regrade_requests_submission_id"), "regrade_requests",
                    ["submission_id"])
    op.create_table(
        "points_adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("test_name", sa.String(255), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("adjusted_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"], ondelete="CASCADE",
                                name=op.f("fk_points_adjustments_submission_id_submissions")),
        sa.ForeignKeyConstraint(["request_id"], ["regrade_requests.id"], ondelete="SET NULL",
                                name=op.f("fk_points_adjustments_request_id_regrade_requests")),
        user_key("points_adjustments", "adjusted_by_id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_adjustments")),
        sa.UniqueConstraint("submission_id", "test_name",
                            name=op.f("uq_points_adjustments_submission_id")),
    )
    op.create_index(op.f("ix_points_adjustments_submission_id"), "points_adjustments",
                    ["submission_id"])
    op.create_table(
        "group_sizes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_slug", sa.String(64), nullable=False),
        sa.Column("max_size", sa.Integer(), nullable=False),
        sa.CheckConstraint("max_size >= 2", name=op.f("ck_group_sizes_max_size")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_sizes")),
        sa.UniqueConstraint("assignment_slug", name=op.f("uq_group_sizes_assignment_slug")),
    )
    op.create_table(
        "groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_slug", sa.String(64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        user_key("groups", "created_by_id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groups")),
    )
    op.create_index(op.f("ix_groups_assignment_slug"), "groups", ["assignment_slug"])
    op.create_table(
        "group_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assignment_slug", sa.String(64), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("confirmed_at", Timestamp, nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], ondelete="CASCADE",
                                name=op.f("fk_group_members_group_id_groups")),
        user_key("group_members", "user_id", "CASCADE"),
        user_key("group_members", "invited_by_id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_members")),
        sa.UniqueConstraint("assignment_slug", "user_id",
                            name=op.f("uq_group_members_assignment_slug")),
    )
    op.create_index(op.f("ix_group_members_group_id"), "group_members", ["group_id"])
    with op.batch_alter_table("submissions") as table:
        table.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        table.create_foreign_key(op.f("fk_submissions_group_id_groups"), "groups",
                                 ["group_id"], ["id"], ondelete="SET NULL")
        table.create_index(op.f("ix_submissions_group_id"), ["group_id"])


def downgrade() -> None:
    with op.batch_alter_table("submissions") as table:
        table.drop_index(op.f("ix_submissions_group_id"))
        table.drop_constraint(op.f("fk_submissions_group_id_groups"), type_="foreignkey")
        table.drop_column("group_id")
    op.drop_index(op.f("ix_group_members_group_id"), table_name="group_members")
    op.drop_table("group_members")
    op.drop_index(op.f("ix_groups_assignment_slug"), table_name="groups")
    op.drop_table("groups")
    op.drop_table("group_sizes")
    op.drop_index(op.f("ix_points_adjustments_submission_id"), table_name="points_adjustments")
    op.drop_table("points_adjustments")
    op.drop_index(op.f("ix_regrade_requests_submission_id"), table_name="regrade_requests")
    op.drop_table("regrade_requests")
    op.drop_table("accommodations")
    op.drop_index(op.f("ix_late_day_grants_user_id"), table_name="late_day_grants")
    op.drop_table("late_day_grants")
    op.drop_table("late_day_allowances")
    op.drop_table("late_day_bank")
