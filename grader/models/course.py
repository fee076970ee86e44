"""What instructors decide while a course runs: policy overrides, extensions, regrades, audit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grader.models.base import Base, JSONDocument, UTCDateTime, utcnow
from grader.models.user import User

# The manifest's [policy] keys an instructor may override (None: keep the manifest's value).
POLICY_FIELDS = ("due", "hard_close", "late_penalty_per_day", "late_penalty_cap",
                 "max_submissions_per_day", "score_policy")


class AssignmentPolicy(Base):
    """An instructor's overrides of one assignment's manifest policy; empty columns keep it."""

    __tablename__ = "assignment_policies"
    __table_args__ = (
        CheckConstraint("score_policy IN ('best', 'last')", name="score_policy"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_slug: Mapped[str] = mapped_column(String(64), unique=True)
    due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hard_close: Mapped[datetime | None] = mapped_column(UTCDateTime)
    late_penalty_per_day: Mapped[float | None] = mapped_column(Float)
    late_penalty_cap: Mapped[float | None] = mapped_column(Float)
    max_submissions_per_day: Mapped[int | None] = mapped_column(Integer)
    score_policy: Mapped[str | None] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def overrides(self) -> dict[str, Any]:
        """Return the fields this row sets."""
        return {name: getattr(self, name) for name in POLICY_FIELDS
                if getattr(self, name) is not None}


class Extension(Base):
    """A later due date (and close) for one student on one assignment."""

    __tablename__ = "extensions"
    __table_args__ = (UniqueConstraint("user_id", "assignment_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    assignment_slug: Mapped[str] = mapped_column(String(64))
    due: Mapped[datetime] = mapped_column(UTCDateTime)
    granted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class RegradeBatch(Base):
    """One regrade an instructor started: which submissions, by whom, when."""

    __tablename__ = "regrade_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_slug: Mapped[str] = mapped_column(String(64), index=True)
    scope: Mapped[str] = mapped_column(String(128))  # "submission 12", "student alice", "all"
    submission_ids: Mapped[list[int]] = mapped_column(JSONDocument)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    started_by: Mapped[User | None] = relationship()


class AuditEntry(Base):
    """Who changed what and when: policies, extensions, regrades, rosters, accounts."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(255))
    details: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)

    actor: Mapped[User | None] = relationship()
