"""Building test apps: the config every test app shares, and the web of the live tests."""

from __future__ import annotations

import dataclasses

import pytest

from grader import create_app
from tests.support.accounts import SERVER_NAME, add_accounts

# Run a test whose app comes from the `app` fixture on SQLite and on PostgreSQL.
ON_BOTH_DATABASES = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"],
                                            indirect=True)
# Run a test with the app's rate limits in memory and in Redis (what REDIS_URL gives).
ON_BOTH_LIMIT_STORES = pytest.mark.parametrize("ratelimit_storage", ["memory", "redis"],
                                               indirect=True)


def base_config(database_url: str) -> dict:
    """Config shared by every test app."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-only-secret",
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": "memory://",
        "CELERY_BROKER_URL": "memory://",  # accepts jobs in-process; nothing consumes them
        "SERVER_NAME": SERVER_NAME,
    }


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
