"""Fixtures of the instructor tests alone (the shared ones are in tests/conftest.py)."""

from __future__ import annotations

import pytest

from grader.db import get_session
from grader.models import AuditEntry


@pytest.fixture
def audit_actions(app):
    """Return the actions recorded in the audit trail so far, oldest first."""

    def actions() -> list[tuple[str, str, str]]:
        with app.app_context():
            return [(e.actor.username if e.actor else None, e.action, e.target)
                    for e in get_session().query(AuditEntry).order_by(AuditEntry.id)]

    return actions
