"""The audit trail, newest first, filterable by action."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select

from grader.audit import ACTIONS
from grader.auth.access import instructor_required
from grader.db import get_session
from grader.instructor.views import bp
from grader.models import AuditEntry

AUDIT_PAGE = 200


@bp.route("/audit")
@instructor_required
def audit_log():
    """List who changed what, and when."""
    action = request.args.get("action") or ""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE)
    if action in ACTIONS:
        query = query.where(AuditEntry.action == action)
    entries = get_session().scalars(query).all()
    return render_template("instructor/audit.html", entries=entries, actions=ACTIONS,
                           action=action)
