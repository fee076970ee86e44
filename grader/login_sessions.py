"""Logins that end: each login is a row, and the browser's cookies carry its key.

Flask-Login keeps `User.get_id()` in the session cookie and in the remember-me cookie. Here that
id is a random key made at login (Flask-Login's alternative-id pattern), of which only a hash
is stored, with an expiry. A cookie is honoured only while its login's row exists and has not
expired, so ending a row ends its cookies on the server, copies included; a signed cookie
alone could only be forgotten by the browser that holds it. Logout ends this browser's login;
"log out everywhere", a password change, a reset and disabling an account end every login of
the account (a browser changing its own password keeps its own). API tokens are not logins:
they live until revoked.
"""

from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from grader.models import LoginSession, User, hash_token, utcnow


def start(session: Session, user: User, remember: bool) -> None:
    """Open a login for user and give it its key (the caller commits, then calls login_user).

    It lasts REMEMBER_COOKIE_DURATION when remembered, else PERMANENT_SESSION_LIFETIME, whatever
    the cookies' own expiry says.
    """
    now = utcnow()
    lifetime = current_app.config[
        "REMEMBER_COOKIE_DURATION" if remember else "PERMANENT_SESSION_LIFETIME"]
    # The account's expired logins go now: nothing else ever reads them again.
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id,
                                               LoginSession.expires_at <= now))
    key = secrets.token_urlsafe(32)  # 256 random bits: a fast unsalted hash is enough
    session.add(LoginSession(user_id=user.id, key_hash=hash_token(key), created_at=now,
                             expires_at=now + lifetime))
    user.login_key = key


def user_for(session: Session, key: str) -> User | None:
    """Return the active account of the open login whose key a cookie carries, else None."""
    user = session.scalar(
        select(User).join(LoginSession).where(LoginSession.key_hash == hash_token(key),
                                              LoginSession.expires_at > utcnow()))
    if user is None or not user.is_active:
        return None
    user.login_key = key
    return user


def end(session: Session, key: str) -> None:
    """End one login: this browser's logout (the caller commits)."""
    session.execute(delete(LoginSession).where(LoginSession.key_hash == hash_token(key)))


def end_all(session: Session, user: User, keep: str | None = None) -> None:
    """End every login of user except the one whose key is keep (the caller commits)."""
    ending = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep is not None:
        ending = ending.where(LoginSession.key_hash != hash_token(keep))
    session.execute(ending)


def open_count(session: Session, user: User) -> int:
    """Return how many logins of user are open (this browser's included)."""
    return session.scalar(select(func.count(LoginSession.id)).where(
        LoginSession.user_id == user.id, LoginSession.expires_at > utcnow()))
