"""Sessions that end: logout ends this session on the server, a password change or "log out
everywhere" ends every other one, remember-me cookies included; API tokens live on."""

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from click.testing import CliRunner

import grader.login_sessions
from grader import create_app
from grader.cli import cli
from grader.db import get_session
from grader.models import User
from tests.support.accounts import (
    PASSWORDS,
    AuthActions,
    add_accounts,
    cookie,
    csrf_from,
    is_logged_in,
    replaying,
)
from tests.support.apps import ON_BOTH_DATABASES, base_config

NEW_PASSWORD = "a-much-longer-secret"


def browser(app, username="alice", remember=False):
    """A browser logged in as username (each with cookies of its own)."""
    client = app.test_client()
    assert AuthActions(client).login(username, remember=remember).status_code == 302
    return client


def stolen(client) -> dict[str, str]:
    """Copy a browser's login cookies, as someone with access to the machine could."""
    return {name: value for name in ("session", "remember_token")
            if (value := cookie(client, name)) is not None}


def remember_cookie_alone(client) -> dict[str, str]:
    value = cookie(client, "remember_token")
    assert value, "no remember-me cookie was set"
    return {"remember_token": value}


def change_password(client, current=PASSWORDS["alice"], new=NEW_PASSWORD):
    return client.post("/auth/password", data={
        "current": current, "new": new, "confirm": new,
        "csrf_token": AuthActions(client).csrf("/auth/account")})


@ON_BOTH_DATABASES
def test_a_session_cookie_replayed_after_logout_is_refused(app, make_submission):
    submission = make_submission("alice")
    laptop = browser(app)
    copy = stolen(laptop)
    assert is_logged_in(replaying(app, **copy))  # a copied cookie works while the session does
    assert AuthActions(laptop).logout().status_code == 302
    replayed = replaying(app, **copy)
    assert not is_logged_in(replayed)
    for path in ("/assignments", f"/submissions/{submission}", f"/submissions/{submission}/status"):
        response = replayed.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    # The API never takes cookies: a replayed one gets the API's own 401.
    assert replayed.get("/api/v1/me").status_code == 401


def test_a_remember_cookie_replayed_after_logout_is_refused(app):
    laptop = browser(app, remember=True)
    remembered = remember_cookie_alone(laptop)
    assert is_logged_in(replaying(app, **remembered))
    AuthActions(laptop).logout()
    assert cookie(laptop, "remember_token") is None  # the browser's own copy is cleared too
    assert not is_logged_in(replaying(app, **remembered))


def test_logout_ends_only_this_session(app):
    laptop, phone = browser(app, remember=True), browser(app, remember=True)
    AuthActions(laptop).logout()
    assert not is_logged_in(laptop)
    assert is_logged_in(phone)
    assert is_logged_in(replaying(app, **remember_cookie_alone(phone)))


def test_log_out_everywhere_ends_every_session_and_remember_cookie(app):
    laptop, phone = browser(app, remember=True), browser(app, remember=True)
    bobs = browser(app, "bob")
    copies = [stolen(laptop), stolen(phone)]
    page = laptop.get("/auth/account").get_data(as_text=True)
    assert 'action="/auth/logout-everywhere"' in page
    response = laptop.post("/auth/logout-everywhere", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert not is_logged_in(laptop)
    assert not is_logged_in(phone)
    for copy in copies:
        assert not is_logged_in(replaying(app, **copy))
        assert not is_logged_in(replaying(app, remember_token=copy["remember_token"]))
    assert is_logged_in(bobs)  # someone else's sessions are theirs
    assert is_logged_in(browser(app))  # and alice may log in again


def test_log_out_everywhere_needs_csrf(app):
    laptop = browser(app)
    assert laptop.post("/auth/logout-everywhere").status_code == 400
    assert is_logged_in(laptop)


@ON_BOTH_DATABASES
def test_a_password_change_on_the_web_ends_every_other_session(app):
    laptop, phone = browser(app, remember=True), browser(app, remember=True)
    copy = stolen(laptop)
    response = change_password(phone)
    assert response.status_code == 302
    page = phone.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your password is changed. Every other session" in page
    assert is_logged_in(phone)  # the session doing the change stays
    assert is_logged_in(replaying(app, **remember_cookie_alone(phone)))
    assert not is_logged_in(laptop)
    assert not is_logged_in(replaying(app, **copy))
    assert not is_logged_in(replaying(app, remember_token=copy["remember_token"]))


def test_a_refused_password_change_ends_nothing(app):
    laptop, phone = browser(app, remember=True), browser(app)
    assert change_password(phone, current="wrong").status_code == 400
    assert is_logged_in(laptop)
    assert is_logged_in(replaying(app, **remember_cookie_alone(laptop)))


@ON_BOTH_DATABASES
def test_a_password_reset_from_the_cli_ends_every_session(app, monkeypatch):
    laptop, phone = browser(app, remember=True), browser(app)
    copy = stolen(laptop)
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("SECRET_KEY", "test-only-secret")
    result = CliRunner().invoke(cli, ["reset-password", "alice"])
    assert result.exit_code == 0, result.output
    assert "every session of alice is ended" in result.output
    assert not is_logged_in(laptop)
    assert not is_logged_in(phone)
    assert not is_logged_in(replaying(app, **copy))
    assert not is_logged_in(replaying(app, remember_token=copy["remember_token"]))
    assert is_logged_in(browser(app, "bob"))


def reset_password(app, prof, username: str):
    """The instructor's "reset password" on the people page, for ``username``."""
    with app.app_context():
        user_id = User.by_username(get_session(), username).id
    return prof.post(f"/instructor/users/{user_id}/reset-password",
                     data={"csrf_token": AuthActions(prof).csrf("/instructor/people")})


def test_an_instructor_reset_ends_the_students_sessions(app):
    laptop = browser(app, remember=True)
    copy = stolen(laptop)
    prof = browser(app, "prof")
    response = reset_password(app, prof, "alice")
    assert response.status_code == 200
    assert not is_logged_in(laptop)
    assert not is_logged_in(replaying(app, remember_token=copy["remember_token"]))
    assert is_logged_in(prof)


def test_an_instructor_resetting_their_own_password_stays_logged_in(app):
    prof, other = browser(app, "prof"), browser(app, "prof", remember=True)
    response = reset_password(app, prof, "prof")
    assert response.status_code == 200
    assert is_logged_in(prof)
    assert not is_logged_in(other)


def test_a_disabled_account_stays_logged_out_once_enabled_again(app):
    laptop = browser(app, remember=True)
    copy = stolen(laptop)
    prof = browser(app, "prof")
    with app.app_context():
        alice_id = User.by_username(get_session(), "alice").id
    for change in ("disable", "enable"):
        prof.post(f"/instructor/users/{alice_id}/{change}",
                  data={"csrf_token": AuthActions(prof).csrf("/instructor/people")})
    assert not is_logged_in(laptop)
    assert not is_logged_in(replaying(app, remember_token=copy["remember_token"]))


def test_the_remember_cookie_lasts_at_most_30_days(app):
    client = app.test_client()
    response = AuthActions(client).login("alice", remember=True)
    header = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("remember_token="))
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", header).group(1))
    assert expires <= datetime.now(UTC) + timedelta(days=30)
    assert expires >= datetime.now(UTC) + timedelta(days=29)
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header


def test_the_server_refuses_a_remembered_session_after_30_days(app, monkeypatch):
    """A cookie's Expires is the browser's business; a copied cookie must die on the server."""
    remembered = remember_cookie_alone(browser(app, remember=True))
    later = datetime.now(UTC) + timedelta(days=30, minutes=1)
    monkeypatch.setattr(grader.login_sessions, "utcnow", lambda: later)
    assert not is_logged_in(replaying(app, **remembered))


def test_a_session_without_remember_me_ends_on_the_server_too(app, monkeypatch):
    copy = stolen(browser(app))
    later = datetime.now(UTC) + app.config["PERMANENT_SESSION_LIFETIME"] + timedelta(minutes=1)
    monkeypatch.setattr(grader.login_sessions, "utcnow", lambda: later)
    assert not is_logged_in(replaying(app, **copy))


@pytest.mark.parametrize("setting", ["1", "true"])
def test_cookies_are_secure_behind_https(tmp_path, database_url, course, password_hashes,
                                         monkeypatch, setting):
    monkeypatch.setenv("GRADER_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("SESSION_COOKIE_SECURE", setting)
    app = create_app(base_config(database_url))
    app.extensions["grader.course"] = course
    add_accounts(app, password_hashes)
    response = AuthActions(app.test_client()).login("alice", remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    assert {c.split("=", 1)[0] for c in cookies} == {"session", "remember_token"}
    for header in cookies:
        assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
    app.extensions["grader.engine"].dispose()


def test_api_tokens_outlive_logouts_and_password_changes(app, bearer):
    laptop = browser(app)
    page = laptop.get("/auth/account").get_data(as_text=True)
    assert "API tokens stay valid until you revoke them" in page
    change_password(laptop)
    laptop.post("/auth/logout-everywhere",
                data={"csrf_token": AuthActions(laptop).csrf("/auth/account")})
    assert app.test_client().get("/api/v1/me", headers=bearer("alice")).status_code == 200


def test_a_login_starts_a_fresh_session_each_time(app):
    """Two logins never share what ends them: logging out of one leaves the other."""
    first = browser(app)
    first_copy = stolen(first)
    AuthActions(first).logout()
    second = browser(app)
    assert cookie(second, "session") != first_copy["session"]
    assert not is_logged_in(replaying(app, **first_copy))
    assert is_logged_in(second)
