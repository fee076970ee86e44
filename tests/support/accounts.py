"""The accounts every test app starts with, and logging in through the real forms."""

from __future__ import annotations

import re

from werkzeug.security import generate_password_hash

from grader.db import get_session
from grader.models import ApiToken, Role, User

SERVER_NAME = "grader.test"  # every test app's (tests.support.apps.base_config)
# Test-only credentials of the accounts every app fixture starts with.
PASSWORDS = {"alice": "alice-pass-1", "bob": "bob-pass-2", "prof": "prof-pass-3"}
ROLES = {"alice": Role.STUDENT, "bob": Role.STUDENT, "prof": Role.INSTRUCTOR}
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                        r'type="hidden" name="csrf_token" value="([^"]+)"')


def add_accounts(app, hashes: dict[str, str]) -> dict[str, str]:
    """Create alice, bob (students) and prof (instructor); return an API token for each."""
    tokens = {}
    with app.app_context():
        session = get_session()
        for name in PASSWORDS:
            user = User(username=name, role=ROLES[name], password_hash=hashes[name])
            session.add(user)
            token, tokens[name] = ApiToken.issue(user, "tests")
            session.add(token)
        session.commit()
    return tokens


def add_students(app, count: int, password: str) -> list[str]:
    """Create `count` students sharing one password; return their usernames.

    Their hash is a cheap one (check_password_hash reads the method from it): a test of a
    whole class logging in is about the service's limits, not about the cost of scrypt.
    """
    cheap = generate_password_hash(password, method="pbkdf2:sha256:1000")
    names = [f"student{number:03d}" for number in range(count)]
    with app.app_context():
        session = get_session()
        session.add_all(User(username=name, role=Role.STUDENT, password_hash=cheap)
                        for name in names)
        session.commit()
    return names


def browser_at(app, address: str):
    """A test client of its own (its own cookies) whose requests come from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def cookie(client, name: str) -> str | None:
    """Return the value of a cookie the client holds for the test apps' SERVER_NAME."""
    held = client.get_cookie(name, domain=SERVER_NAME)
    return held.value if held is not None else None


def replaying(app, **cookies: str):
    """A fresh browser holding only the given cookies (copied from another one, or stolen)."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value, domain=SERVER_NAME)
    return client


def is_logged_in(client) -> bool:
    """Tell whether the client's cookies open the account page (else: sent to log in)."""
    response = client.get("/auth/account")
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    return False


def csrf_from(html: str) -> str:
    """Pull the CSRF token out of a rendered form."""
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token in page"
    return match.group(1) or match.group(2)


class AuthActions:
    """Log the test client in and out through the real forms (CSRF included)."""

    def __init__(self, client):
        self._client = client

    def csrf(self, path: str = "/auth/login") -> str:
        return csrf_from(self._client.get(path).get_data(as_text=True))

    def login(self, username: str = "alice", password: str | None = None,
              remember: bool = False):
        password = PASSWORDS.get(username, "") if password is None else password
        data = {"username": username, "password": password, "csrf_token": self.csrf()}
        if remember:
            data["remember"] = "y"
        return self._client.post("/auth/login", data=data)

    def logout(self):
        token = self.csrf("/auth/account")
        return self._client.post("/auth/logout", data={"csrf_token": token})
