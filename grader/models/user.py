"""Accounts (students and instructors), their logins and their personal API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from grader.models.base import Base, UTCDateTime, utcnow

TOKEN_PREFIX = "agt_"


class Role(StrEnum):
    """What an account may see and do."""

    STUDENT = "student"
    INSTRUCTOR = "instructor"


class User(UserMixin, Base):
    """A person who logs in: a student or an instructor."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('student', 'instructor')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default=Role.STUDENT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    name: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # set: no login, no tokens

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="ApiToken.id"
    )

    # The key of the login this object was loaded through, if any (grader/login_sessions.py);
    # a plain attribute, not a column: only the key's hash is stored, on the login's row.
    login_key = None

    # Flask-Login compares users by get_id(), which is a login's key here: two objects of one
    # account are the same user when they are the same row (the identity map keeps one each).
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    def get_id(self) -> str:
        """Return what Flask-Login keeps in the session and remember-me cookies: the key of
        this login, never the account's id, so that ending the login ends those cookies."""
        if self.login_key is None:
            raise RuntimeError("start a login first: grader.login_sessions.start")
        return self.login_key

    def set_password(self, password: str) -> None:
        """Store a salted hash of password, never the password (grader.passwords.change_password
        also ends the account's logins: use it for an account that has any)."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Tell whether password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        """Tell whether the account may log in and use its tokens (Flask-Login asks this)."""
        return self.disabled_at is None

    @property
    def is_instructor(self) -> bool:
        """Tell whether this account may see every submission."""
        return self.role == Role.INSTRUCTOR

    @classmethod
    def by_username(cls, session: Session, username: str) -> User | None:
        """Find an account by its (case-insensitive) username."""
        return session.scalar(select(cls).where(cls.username == username.strip().lower()))

    def __repr__(self) -> str:
        return f"<User {self.username} ({self.role})>"


def hash_token(token: str) -> str:
    """Hash an API token for storage and lookup.

    Tokens are 256 random bits, so a fast unsalted digest is enough: there is nothing to guess.
    """
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(Base):
    """A personal token for the CLI and API; only its hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(16))  # first characters, to recognise it in a list
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        """Create a token for user; return the row and the plain token, shown only once."""
        plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = cls(user=user, name=name, token_hash=hash_token(plain), hint=plain[:10])
        return row, plain

    @classmethod
    def find_active(cls, session: Session, plain: str) -> ApiToken | None:
        """Find the unrevoked token matching plain."""
        return session.scalar(
            select(cls).where(cls.token_hash == hash_token(plain), cls.revoked_at.is_(None))
        )


class LoginSession(Base):
    """One login on one browser. Its cookies carry a random key whose hash is kept here: they
    are honoured only while this row exists and has not expired (grader/login_sessions.py)."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
