"""LTI 1.3: the platforms (LMSs) registered, the tool's keys, who launched from where, the
line items of each LMS course and what was last posted to them (grader/lti/)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grader.models.base import Base, JSONDocument, UTCDateTime, utcnow
from grader.models.user import User


class LtiPlatform(Base):
    """One registration of this tool in an LMS: its issuer, our client id there, its URLs."""

    __tablename__ = "lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id", name="uq_lti_platforms_issuer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    deployment_ids: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    auth_login_url: Mapped[str] = mapped_column(String(1024))
    token_url: Mapped[str] = mapped_column(String(1024))
    jwks_url: Mapped[str] = mapped_column(String(1024))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LtiToolKey(Base):
    """A key pair the tool signs with; the newest unretired one signs, /lti/jwks lists the
    unretired ones and those retired recently (messages signed just before a rotation)."""

    __tablename__ = "lti_tool_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LtiIdentity(Base):
    """The account a person of an LMS (its issuer's subject) is here: one per person and
    platform, and an account has at most one per platform (linked once)."""

    __tablename__ = "lti_identities"
    __table_args__ = (
        UniqueConstraint("platform_id", "subject", name="uq_lti_identities_platform_id"),
        UniqueConstraint("user_id", "platform_id", name="uq_lti_identities_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Created by a launch or a roster sync (the LMS decides its role and may deactivate it),
    # or an existing local account linked to the LMS (keeps the role it has here).
    created_here: Mapped[bool] = mapped_column(default=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    platform: Mapped[LtiPlatform] = relationship()


class LtiContext(Base):
    """A course of an LMS this tool was launched from, with its service endpoints."""

    __tablename__ = "lti_contexts"
    __table_args__ = (
        UniqueConstraint("platform_id", "context_id", name="uq_lti_contexts_platform_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    memberships_url: Mapped[str | None] = mapped_column(String(1024))
    lineitems_url: Mapped[str | None] = mapped_column(String(1024))
    ags_scopes: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    roster_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    platform: Mapped[LtiPlatform] = relationship()


class LtiEnrolment(Base):
    """A person's membership of an LMS course, as the last launch or roster sync saw it."""

    __tablename__ = "lti_enrolments"
    __table_args__ = (
        UniqueConstraint("context_id", "user_id", name="uq_lti_enrolments_context_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_contexts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)

    context: Mapped[LtiContext] = relationship()
    user: Mapped[User] = relationship()


class LtiLineItem(Base):
    """The LMS gradebook column of one assignment in one LMS course: created once."""

    __tablename__ = "lti_line_items"
    __table_args__ = (
        UniqueConstraint("context_id", "assignment_slug", name="uq_lti_line_items_context_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_contexts.id", ondelete="CASCADE"))
    assignment_slug: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(1024))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    context: Mapped[LtiContext] = relationship()


class LtiGradePost(Base):
    """What was last sent to a line item for one student, and what the LMS answered."""

    __tablename__ = "lti_grade_posts"
    __table_args__ = (
        UniqueConstraint("line_item_id", "user_id", name="uq_lti_grade_posts_line_item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    line_item_id: Mapped[int] = mapped_column(
        ForeignKey("lti_line_items.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    score: Mapped[float | None] = mapped_column(Float)  # last value the LMS accepted
    max_score: Mapped[float | None] = mapped_column(Float)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # posted|retrying|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lms_answer: Mapped[str | None] = mapped_column(Text)  # HTTP status and body, shortened

    line_item: Mapped[LtiLineItem] = relationship()
    user: Mapped[User] = relationship()


class LtiLaunchValue(Base):
    """Short-lived values of the OIDC login and launch (state, nonce, launch data), kept in
    the database so that any web process can finish a login another one started."""

    __tablename__ = "lti_launch_values"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONDocument)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
