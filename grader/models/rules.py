"""The rules a course runs on beside each assignment's policy: a late-day bank, standing
accommodations, regrade requests with the points an instructor adjusts, and partners."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from grader.models.base import Base, UTCDateTime, utcnow
from grader.models.submission import Submission
from grader.models.user import User


class LateDayBank(Base):
    """The course's late days: how many each student has for the term (one row, id 1)."""

    __tablename__ = "late_day_bank"
    __table_args__ = (CheckConstraint("days >= 0", name="days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    days: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class LateDayAllowance(Base):
    """An assignment on which late days may be spent, at most max_days of them."""

    __tablename__ = "late_day_allowances"
    __table_args__ = (CheckConstraint("max_days >= 1", name="max_days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_slug: Mapped[str] = mapped_column(String(64), unique=True)
    max_days: Mapped[int] = mapped_column(Integer)


class LateDayGrant(Base):
    """Extra late days an instructor gave one student (added to the course's)."""

    __tablename__ = "late_day_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    days: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(255), default="")
    granted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Accommodation(Base):
    """A student's standing accommodation: extra days on every deadline and more submissions
    a day, on every assignment present and future."""

    __tablename__ = "accommodations"
    __table_args__ = (
        CheckConstraint("extra_days >= 0", name="extra_days"),
        CheckConstraint("extra_submissions_per_day >= 0", name="extra_submissions_per_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    extra_days: Mapped[int] = mapped_column(Integer, default=0)
    extra_submissions_per_day: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(String(255), default="")
    granted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class RegradeRequest(Base):
    """A student's request that one test of a graded submission be looked at again."""

    __tablename__ = "regrade_requests"
    __table_args__ = (CheckConstraint("status IN ('open', 'answered')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    test_name: Mapped[str] = mapped_column(String(255))
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    submission: Mapped[Submission] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])


class PointsAdjustment(Base):
    """The points an instructor set for one test of one submission, whatever a grading gives
    it; kept across regrades (one per test: a new one replaces it)."""

    __tablename__ = "points_adjustments"
    __table_args__ = (UniqueConstraint("submission_id", "test_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    test_name: Mapped[str] = mapped_column(String(255))
    points: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("regrade_requests.id", ondelete="SET NULL"))
    adjusted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    adjusted_by: Mapped[User | None] = relationship()
    # Submission.adjustments: loaded with the rows, since every counted score reads them.
    submission: Mapped[Submission] = relationship(backref=backref(
        "adjustments", lazy="selectin", order_by="PointsAdjustment.id",
        cascade="all, delete-orphan"))


class GroupSize(Base):
    """An assignment done in groups: at most max_size students in each (no row: alone)."""

    __tablename__ = "group_sizes"
    __table_args__ = (CheckConstraint("max_size >= 2", name="max_size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_slug: Mapped[str] = mapped_column(String(64), unique=True)
    max_size: Mapped[int] = mapped_column(Integer)


class Group(Base):
    """Students working together on one assignment; a submission of one member is everyone's."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_slug: Mapped[str] = mapped_column(String(64), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[GroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="GroupMember.id")


class GroupMember(Base):
    """A student in a group: invited until they confirm (one group per student and assignment)."""

    __tablename__ = "group_members"
    __table_args__ = (UniqueConstraint("assignment_slug", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"),
                                          index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    assignment_slug: Mapped[str] = mapped_column(String(64))
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    group: Mapped[Group] = relationship(back_populates="members")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])
