"""Bearer-token authentication for the API (cookies are never accepted here)."""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from flask import abort, g, request
from flask_limiter.util import get_remote_address

from grader.db import get_session
from grader.models import ApiToken, User, utcnow

# Record a token's use at most this often: polling must not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def bearer_token() -> str | None:
    """Return the token from `Authorization: Bearer TOKEN`, if any."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def api_user() -> User | None:
    """Return the account whose token the request carries (looked up once per request)."""
    if "api_user" not in g:
        g.api_user = None
        plain = bearer_token()
        if plain:
            session = get_session()
            token = ApiToken.find_active(session, plain)
            if token is not None and token.user.is_active:  # a disabled account's tokens fail
                now = utcnow()
                if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
                    token.last_used_at = now
                    session.commit()
                g.api_user = token.user
    return g.api_user


def rate_key() -> str:
    """Rate-limit key for API calls: the account, else the client address."""
    user = api_user()
    return f"user:{user.id}" if user is not None else f"ip:{get_remote_address()}"


def token_required(view):
    """Answer 401 unless the request carries a valid token."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if api_user() is None:
            message = "Send a valid token: Authorization: Bearer TOKEN."
            abort(401, description=message if bearer_token() is None else "Invalid token.")
        return view(*args, **kwargs)

    wrapped.api_access = "token"  # the OpenAPI document's security and 401 (grader/api/openapi)
    return wrapped


def instructor_token_required(view):
    """Answer 401 without a valid token, 403 unless it belongs to an instructor."""

    @wraps(view)
    @token_required
    def wrapped(*args, **kwargs):
        if not api_user().is_instructor:
            abort(403, description="Only instructors may do this.")
        return view(*args, **kwargs)

    wrapped.api_access = "instructor"
    return wrapped
