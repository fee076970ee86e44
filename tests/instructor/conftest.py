"""The web fixtures (tests/web/conftest.py) for the instructor tests, plus a few of their own."""

from __future__ import annotations

import pytest

from grader.db import get_session
from grader.models import AuditEntry
from tests.web.conftest import (  # noqa: F401  (fixtures, found by pytest under these names)
    app,
    auth,
    bearer,
    client,
    course,
    live_env,
    make_submission,
    migrated_sqlite,
    password_hashes,
    result_document,
    runner,
    web,
    worker_factory,
)


def graded_result(passed: list[str], failed: dict[str, str]) -> dict:
    """A result document: each passed test worth 1, each failed one tagged with its category."""
    tests = [{"name": n, "status": "passed", "score": 1.0, "max_score": 1.0, "tags": [],
              "visibility": "visible"} for n in passed]
    tests += [{"name": n, "status": "failed", "score": 0.0, "max_score": 1.0, "tags": [c],
               "visibility": "hidden", "extra_data": {"diagnosis": {"category": c}}}
              for n, c in failed.items()]
    return result_document(tests)


@pytest.fixture
def audit_actions(app):  # noqa: F811  (the app fixture imported above)
    """Return the actions recorded in the audit trail so far, oldest first."""

    def actions() -> list[tuple[str, str, str]]:
        with app.app_context():
            return [(e.actor.username if e.actor else None, e.action, e.target)
                    for e in get_session().query(AuditEntry).order_by(AuditEntry.id)]

    return actions
