"""Changing a password, and random ones for new and reset accounts: one way, for the command
line and the pages. A changed password ends the account's logins: whoever knew the old one, or
holds a cookie, is out."""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from grader import login_sessions
from grader.models import User


def random_password() -> str:
    """Return a new random password (16 URL-safe characters, 96 bits)."""
    return secrets.token_urlsafe(12)


def change_password(session: Session, user: User, password: str, keep: str | None = None) -> None:
    """Set user's password and end every login of theirs but `keep`, the key of the browser
    making the change, which stays logged in (the caller commits)."""
    user.set_password(password)
    login_sessions.end_all(session, user, keep=keep)


def reset_password(session: Session, user: User, keep: str | None = None) -> str:
    """Give user a new random password, ending their logins as change_password does (the caller
    commits); return it, to hand out once."""
    password = random_password()
    change_password(session, user, password, keep=keep)
    return password
