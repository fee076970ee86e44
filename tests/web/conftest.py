"""Fixtures for the web service: app with a temporary database, client, runner, auth helpers."""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

from grader import create_app
from grader.db import get_session, upgrade
from grader.models import ApiToken, Role, User
from tests.web.live import (
    REDIS_TEST_URL,
    Worker,
    create_database,
    forget_queue,
    require_postgres,
)

# Test-only credentials of the accounts every app fixture starts with.
PASSWORDS = {"alice": "alice-pass-1", "bob": "bob-pass-2", "prof": "prof-pass-3"}
ROLES = {"alice": Role.STUDENT, "bob": Role.STUDENT, "prof": Role.INSTRUCTOR}
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                        r'type="hidden" name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class CourseAssignment:
    """An assignment with the interface of grader.grading.assignments.Assignment, dates under control."""

    slug: str
    title: str
    submit_file: str = "gradient.py"
    points: float = 10.0
    due: datetime | None = None
    hard_close: datetime | None = None
    late_penalty_per_day: float = 0.1
    late_penalty_cap: float = 0.5
    max_submissions_per_day: int | None = None
    score_policy: str = "best"
    readme: str = "# Title\n\nWrite `gradient`.\n\n<script>alert('readme')</script>\n"

    def readme_markdown(self) -> str:
        return self.readme

    def starter_zip(self, extras=None) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(f"{self.slug}-starter/{self.submit_file}", "def gradient(out):\n")
        return buffer.getvalue()


def demo_course(now: datetime) -> dict[str, CourseAssignment]:
    """Three assignments: one open, one past due (late penalty), one closed."""
    return {
        "numerical": CourseAssignment("numerical", "Numerical differentiation",
                                      submit_file="numerical.py", due=now + timedelta(days=7)),
        "backprop": CourseAssignment("backprop", "Backpropagation", submit_file="backprop.py",
                                     due=now - timedelta(days=2, hours=1)),
        "autodiff": CourseAssignment("autodiff", "Automatic differentiation",
                                     due=now - timedelta(days=10),
                                     hard_close=now - timedelta(days=1)),
    }


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


def base_config(database_url: str) -> dict:
    """Config shared by every test app."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-only-secret",
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": "memory://",
        "CELERY_BROKER_URL": "memory://",  # accepts jobs in-process; nothing consumes them
        "SERVER_NAME": "grader.test",
    }


@pytest.fixture(scope="session")
def password_hashes() -> dict[str, str]:
    """Hash the test passwords once: each hash costs a deliberate tenth of a second."""
    return {name: generate_password_hash(password) for name, password in PASSWORDS.items()}


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


@pytest.fixture
def app(tmp_path, migrated_sqlite, course, password_hashes, monkeypatch):
    """An app on a fresh copy of the migrated SQLite database, with three accounts."""
    monkeypatch.setenv("GRADER_INSTANCE_PATH", str(tmp_path / "instance"))
    database = tmp_path / "grader.sqlite"
    shutil.copy(migrated_sqlite, database)
    app = create_app(base_config(f"sqlite:///{database}"))
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

    def login(self, username: str = "alice", password: str | None = None):
        password = PASSWORDS.get(username, "") if password is None else password
        return self._client.post(
            "/auth/login",
            data={"username": username, "password": password, "csrf_token": self.csrf()},
        )

    def logout(self):
        token = self.csrf("/auth/account")
        return self._client.post("/auth/logout", data={"csrf_token": token})


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
    from grader.models import Submission, utcnow

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


def result_document(tests: list[dict], score: float | None = None) -> dict:
    """Build a Gradescope-style result document around the given tests."""
    return {
        "score": sum(t.get("score", 0) for t in tests) if score is None else score,
        "max_score": sum(t.get("max_score", 0) for t in tests),
        "execution_time": 0.5,
        "output": "",
        "tests": tests,
        "extra_data": {},
    }


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


def start_web(env, password_hashes):
    """Create the web app for env, with the usual accounts and the real course, kept open."""
    from grader.grading.assignments import load_assignments

    app = create_app({"TESTING": True, "SERVER_NAME": "grader.test"})
    app.tokens = add_accounts(app, password_hashes)
    # The real assignments (the workers grade them), with their deadlines lifted for the test.
    app.extensions["grader.course"] = {
        slug: dataclasses.replace(assignment, due=None, hard_close=None)
        for slug, assignment in load_assignments().items()
    }
    return app


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
