"""Login limits that fit a campus: a class behind one address gets in, a guesser waits."""

import re
import time

import pytest

from grader import create_app
from tests.support.accounts import PASSWORDS, AuthActions, add_accounts, add_students, browser_at
from tests.support.apps import ON_BOTH_DATABASES, ON_BOTH_LIMIT_STORES, base_config

CAMPUS_NAT = "198.51.100.7"
CLASS_PASSWORD = "class-pass-0"


def log_in(client, username, password):
    return AuthActions(client).login(username, password)


def told_to_wait(response, reason: str) -> int:
    """Check a 429 says why and when to retry; return the minutes it says."""
    assert response.status_code == 429
    text = response.get_data(as_text=True)
    match = re.search(rf"{reason}; try again in (\d+) minutes?\.", text)
    assert match, text
    assert 0 < int(response.headers["Retry-After"]) <= int(match.group(1)) * 60
    return int(match.group(1))


@ON_BOTH_DATABASES
@ON_BOTH_LIMIT_STORES
def test_a_class_behind_one_address_gets_in_while_one_student_mistypes(app):
    """200 students log in from one NAT address within a minute; every fifth mistypes once
    first, and one mistypes 30 times. The 199 get in; the one is stopped and told when."""
    students = add_students(app, 200, CLASS_PASSWORD)
    mistyper = students[117]
    mistyper_browser = browser_at(app, CAMPUS_NAT)
    started = time.monotonic()
    answers = []
    for number, student in enumerate(students):
        if number % 7 == 0 and len(answers) < 30:  # the mistyper's attempts, spread through
            answers.append(log_in(mistyper_browser, mistyper, "class-pass-O"))
        if student == mistyper:
            continue
        browser = browser_at(app, CAMPUS_NAT)
        if number % 5 == 0:
            assert log_in(browser, student, "class-pass").status_code == 401
        response = log_in(browser, student, CLASS_PASSWORD)
        assert response.status_code == 302, (student, response.get_data(as_text=True))
        assert browser.get("/assignments").status_code == 200
    while len(answers) < 30:
        answers.append(log_in(mistyper_browser, mistyper, "class-pass-O"))
    assert time.monotonic() - started < 60
    assert [a.status_code for a in answers[:5]] == [401] * 5  # LOGIN_LIMIT_PER_ACCOUNT_ADDRESS
    assert {a.status_code for a in answers[5:]} == {429}
    assert told_to_wait(answers[-1], "Too many failed attempts for this account") <= 5
    # Now even the right password waits: a limit that let it through would answer guesses.
    told_to_wait(log_in(mistyper_browser, mistyper, CLASS_PASSWORD),
                 "Too many failed attempts for this account")


def test_only_failed_attempts_count(app, auth):
    app.config["LOGIN_LIMIT_PER_ACCOUNT_ADDRESS"] = "2 per minute"
    for _ in range(4):
        assert auth.login("alice").status_code == 302
        auth.logout()
    assert auth.login("alice", "wrong").status_code == 401
    assert auth.login("alice").status_code == 302


def test_an_account_is_limited_over_every_address(app):
    """Guessing one account from many addresses meets the per-account limit."""
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per hour"
    for number in range(3):
        assert log_in(browser_at(app, f"203.0.113.{number}"), "alice", "guess").status_code == 401
    elsewhere = browser_at(app, "203.0.113.99")
    minutes = told_to_wait(log_in(elsewhere, "alice", "guess"),
                           "Too many failed attempts for this account")
    assert 55 <= minutes <= 60
    assert log_in(elsewhere, "bob", PASSWORDS["bob"]).status_code == 302  # others are free


def test_an_address_spraying_many_accounts_is_limited(app):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 15 minutes"
    sprayer = browser_at(app, "192.0.2.66")
    for name in ("alice", "bob", "nobody"):
        assert log_in(sprayer, name, "Winter2026!").status_code == 401
    told_to_wait(log_in(sprayer, "prof", "Winter2026!"),
                 "Too many failed attempts from your network")
    told_to_wait(log_in(browser_at(app, "192.0.2.66"), "alice", PASSWORDS["alice"]),
                 "Too many failed attempts from your network")
    assert log_in(browser_at(app, "192.0.2.67"), "alice", PASSWORDS["alice"]).status_code == 302


def test_an_ipv6_site_counts_as_one_address(app):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "2 per 15 minutes"
    for suffix in ("1", "2"):
        browser = browser_at(app, f"2001:db8:1:2::{suffix}")
        assert log_in(browser, "nobody", "x").status_code == 401
    rotated = browser_at(app, "2001:db8:1:2:ffff::9")
    assert log_in(rotated, "nobody", "x").status_code == 429
    assert log_in(browser_at(app, "2001:db8:1:3::1"), "nobody", "x").status_code == 401


@pytest.mark.parametrize("spelling", ["alice", "ALICE", "  Alice "])
def test_the_account_limit_ignores_case_and_spaces(app, auth, spelling):
    app.config["LOGIN_LIMIT_PER_ACCOUNT_ADDRESS"] = "2 per minute"
    assert auth.login("alice", "wrong").status_code == 401
    assert auth.login("Alice", "wrong").status_code == 401
    assert auth.login(spelling, "wrong").status_code == 429


def test_wrong_current_passwords_are_limited(app, client, auth):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per hour"
    auth.login("alice")
    for _ in range(2):
        response = client.post("/auth/password", data={
            "current": "guess", "new": "a-much-longer-secret", "confirm": "a-much-longer-secret",
            "csrf_token": auth.csrf("/auth/account")})
        assert response.status_code == 400
    response = client.post("/auth/password", data={
        "current": PASSWORDS["alice"], "new": "a-much-longer-secret",
        "confirm": "a-much-longer-secret", "csrf_token": auth.csrf("/auth/account")})
    told_to_wait(response, "Too many failed attempts for this account")


def test_login_limits_are_shared_through_redis(tmp_path, database_url, course, password_hashes,
                                               monkeypatch):
    """With several gunicorn processes the limits must live in Redis, as REDIS_URL arranges."""
    import uuid

    from tests.support.live import REDIS_TEST_URL, forget_keys, require_redis

    require_redis()
    monkeypatch.setenv("GRADER_INSTANCE_PATH", str(tmp_path / "instance"))
    prefix = f"test-limits-{uuid.uuid4().hex[:8]}"
    config = base_config(database_url) | {
        "RATELIMIT_STORAGE_URI": REDIS_TEST_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
        "LOGIN_LIMIT_PER_ACCOUNT_ADDRESS": "2 per minute",
    }
    apps = [create_app(config), create_app(config)]  # two processes behind one balancer
    apps[0].extensions["grader.course"] = apps[1].extensions["grader.course"] = course
    add_accounts(apps[0], password_hashes)
    first, second = (AuthActions(app.test_client()) for app in apps)
    assert first.login("alice", "wrong").status_code == 401
    assert second.login("alice", "wrong").status_code == 401
    assert first.login("alice", "wrong").status_code == 429
    for app in apps:
        app.extensions["grader.engine"].dispose()
    forget_keys(REDIS_TEST_URL, prefix)
