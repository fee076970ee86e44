"""Fixtures shared by the test folders: the web app on SQLite, its accounts and client, the live
services (PostgreSQL, Redis, Celery workers) and a Chromium browser.

Helpers that are not fixtures live in tests/support.
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

from grader import create_app
from grader.db import get_session, upgrade
from grader.models import Submission, User, utcnow
from tests.support.accounts import PASSWORDS, AuthActions, add_accounts
from tests.support.apps import base_config, start_web
from tests.support.course import CourseAssignment, demo_course
from tests.support.live import (
    REDIS_TEST_URL,
    ServerThread,
    Worker,
    create_database,
    forget_keys,
    forget_queue,
    require_postgres,
    require_redis,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """Migrate one SQLite file once; each test copies it (fast, and it exercises Alembic)."""
    path = tmp_path_factory.mktemp("template") / "grader.sqlite"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def course() -> dict[str, CourseAssignment]:
    """Assignments whose dates the tests control (the app fixture serves them)."""
    return demo_course(datetime.now(UTC))


@pytest.fixture(scope="session")
def password_hashes() -> dict[str, str]:
    """Hash the test passwords once: each hash costs a deliberate tenth of a second."""
    return {name: generate_password_hash(password) for name, password in PASSWORDS.items()}


@pytest.fixture
def database_url(request, tmp_path, migrated_sqlite):
    """The app's database: a fresh copy of the migrated SQLite file, or a throwaway migrated
    PostgreSQL database where a test asks for both (tests.support.apps.ON_BOTH_DATABASES)."""
    if getattr(request, "param", "sqlite") == "postgresql":
        require_postgres()
        url, drop = create_database()
        upgrade(url)
        yield url
        drop()
        return
    database = tmp_path / "grader.sqlite"
    shutil.copy(migrated_sqlite, database)
    yield f"sqlite:///{database}"


@pytest.fixture
def ratelimit_storage(request) -> dict:
    """Where the app keeps its rate limits: in memory, or in Redis under a prefix of its own
    where a test asks for both (tests.support.apps.ON_BOTH_LIMIT_STORES), as with REDIS_URL."""
    if getattr(request, "param", "memory") != "redis":
        yield {"RATELIMIT_STORAGE_URI": "memory://"}
        return
    require_redis()
    prefix = f"test-limits-{uuid.uuid4().hex[:8]}"
    yield {"RATELIMIT_STORAGE_URI": REDIS_TEST_URL, "RATELIMIT_KEY_PREFIX": prefix}
    forget_keys(REDIS_TEST_URL, prefix)


@pytest.fixture
def app(tmp_path, database_url, ratelimit_storage, course, password_hashes, monkeypatch):
    """An app on a fresh migrated database (SQLite unless the test asks), with three accounts."""
    monkeypatch.setenv("GRADER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(base_config(database_url) | ratelimit_storage)
    app.extensions["grader.course"] = course
    app.tokens = add_accounts(app, password_hashes)
    yield app
    app.extensions["grader.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def bearer(app):
    """Return Authorization headers for an account's API token."""

    def headers(username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {app.tokens[username]}"}

    return headers


@pytest.fixture
def make_submission(app):
    """Insert a submission row directly (for pages that show stored results)."""

    def make(username="alice", slug="numerical", status="graded", result=None, **fields):
        with app.app_context():
            session = get_session()
            submission = Submission(
                user=User.by_username(session, username),
                assignment_slug=slug,
                filename="gradient.py",
                source=fields.pop("source", "def gradient(out):\n    return {}\n"),
                status=status,
                submitted_at=fields.pop("submitted_at", utcnow()),
                result=result,
                **fields,
            )
            if result is not None:
                submission.raw_score = submission.score = result.get("score")
                submission.max_score = result.get("max_score")
            session.add(submission)
            session.commit()
            return submission.id

    return make


# Live services: a throwaway PostgreSQL database, Redis, real Celery workers.

@pytest.fixture
def live_env(tmp_path, monkeypatch):
    """Environment shared by the in-process web app and the worker processes."""
    require_postgres()
    database_url, drop = create_database()
    upgrade(database_url)
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_TEST_URL,
        "CELERY_QUEUE": f"grading-test-{uuid.uuid4().hex[:8]}",  # no other run's jobs
        "GRADER_INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-only-secret",
        "RATELIMIT_STORAGE_URI": "memory://",
        "HEARTBEAT_SECONDS": "1",
        "HEARTBEAT_STALE_SECONDS": "4",
        "SWEEP_SECONDS": "1",
        "UNQUEUED_STALE_SECONDS": "1",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    yield env
    drop()
    forget_queue(REDIS_TEST_URL, env["CELERY_QUEUE"])


@pytest.fixture
def web(password_hashes):
    """Start in-process web apps; dispose their database pools afterwards."""
    apps = []

    def start(env):
        app = start_web(env, password_hashes)
        apps.append(app)
        return app

    yield start
    for app in apps:
        app.extensions["grader.engine"].dispose()


@pytest.fixture
def worker_factory(tmp_path):
    started: list[Worker] = []

    def start(env, **kwargs) -> Worker:
        worker = Worker({**os.environ, **env}, tmp_path / f"worker{len(started)}.log", **kwargs)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def browser():
    """Chromium through Playwright, for the tests that drive pages in a real browser."""
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail("Chromium is not installed (make test installs it: scripts/setup-system.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def quiet_site(app):
    """The web app over HTTP on SQLite with no worker: the test itself finishes gradings."""
    app.config["SERVER_NAME"] = None
    server = ServerThread(app)
    yield server.url
    server.stop()


@pytest.fixture
def live_site(live_env, web, worker_factory):
    """The web app over HTTP with one grading worker on Redis and PostgreSQL."""
    worker_factory(live_env)
    app = web(live_env)
    app.config["SERVER_NAME"] = None
    server = ServerThread(app)
    yield server.url
    server.stop()
