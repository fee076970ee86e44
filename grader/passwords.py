"""Random passwords for new and reset accounts: one way, for the command line and the pages."""

from __future__ import annotations

import secrets

from grader.models import User


def random_password() -> str:
    """Return a new random password (16 URL-safe characters, 96 bits)."""
    return secrets.token_urlsafe(12)


def reset_password(user: User) -> str:
    """Give user a new random password (the caller commits) and return it, to hand out once."""
    password = random_password()
    user.set_password(password)
    return password
