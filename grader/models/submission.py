"""Submissions and the gradings (first run and regrades) each one received."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grader.models.base import Base, JSONDocument, UTCDateTime, utcnow
from grader.models.user import User


class Status(StrEnum):
    """Where a submission is in its life: queued -> running -> graded | error."""

    QUEUED = "queued"
    RUNNING = "running"
    GRADED = "graded"
    ERROR = "error"

    @property
    def is_final(self) -> bool:
        """Tell whether nothing more will happen without a regrade."""
        return self in (Status.GRADED, Status.ERROR)


class GradingStatus(StrEnum):
    """How one grading run ended."""

    RUNNING = "running"
    GRADED = "graded"  # produced a result document (a student's crash or timeout included)
    FAILED = "failed"  # the system failed; the submission is retried or marked error
    LOST = "lost"  # its worker died; the sweep handed the submission to another worker
    SUPERSEDED = "superseded"  # finished after another run had taken over: result kept, unused


class Submission(Base):
    """One file a student handed in, kept forever, with its latest outcome."""

    __tablename__ = "submissions"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'running', 'graded', 'error')", name="status"
        ),
        Index("ix_submissions_user_assignment", "user_id", "assignment_slug"),
        Index("ix_submissions_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    assignment_slug: Mapped[str] = mapped_column(String(64), index=True)
    # Handed in for a group (grader.groups): every confirmed member's, the submitter's too.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"),
                                                 index=True)
    filename: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=Status.QUEUED)
    late_penalty: Mapped[float] = mapped_column(Float, default=0.0)  # fraction of the score lost

    # The phases of its life; queued_at stays empty until the broker accepted the job.
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Grading bookkeeping: the claim token names the one grading run allowed to write a result.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim_token: Mapped[str | None] = mapped_column(String(36))
    claimed_by: Mapped[str | None] = mapped_column(String(255))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    progress: Mapped[str | None] = mapped_column(String(255))

    # The outcome of the grading in force.
    raw_score: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)  # raw_score less the late penalty
    max_score: Mapped[float | None] = mapped_column(Float)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    error_message: Mapped[str | None] = mapped_column(Text)
    # The public tests' verdict ("partial": true) while the rest of a grading runs: shown,
    # never counted; cleared when the run ends, however it ends.
    partial_result: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)

    user: Mapped[User] = relationship()
    gradings: Mapped[list[Grading]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="Grading.id"
    )

    @property
    def status_enum(self) -> Status:
        """Return the status as a Status."""
        return Status(self.status)

    @property
    def is_final(self) -> bool:
        """Tell whether grading has finished, well or not."""
        return self.status_enum.is_final

    def __repr__(self) -> str:
        return f"<Submission {self.id} {self.assignment_slug} {self.status}>"


class Grading(Base):
    """One grading run of a submission: the first one, a retry or an instructor's regrade."""

    __tablename__ = "gradings"
    __table_args__ = (
        CheckConstraint(
            "status IN ('running', 'graded', 'failed', 'lost', 'superseded')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(String(36), unique=True)
    reason: Mapped[str] = mapped_column(String(32), default="submitted")  # or "regrade", "retry"
    status: Mapped[str] = mapped_column(String(16), default=GradingStatus.RUNNING)
    worker: Mapped[str | None] = mapped_column(String(255))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float | None] = mapped_column(Float)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    error_message: Mapped[str | None] = mapped_column(Text)

    submission: Mapped[Submission] = relationship(back_populates="gradings")

    def __repr__(self) -> str:
        return f"<Grading {self.id} of {self.submission_id} #{self.attempt} {self.status}>"
