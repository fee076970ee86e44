"""The audit trail, newest first, filterable by action, its details worded for people."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import render_template, request
from sqlalchemy import select

from grader.audit import ACTIONS
from grader.auth.access import instructor_required
from grader.db import get_session
from grader.instructor.views import bp
from grader.models import AuditEntry

AUDIT_PAGE = 200
# How the details' keys read on the page; a key not named here reads as itself, underscores
# turned into spaces.
LABELS = {
    "due": "due", "hard_close": "hard close", "late_penalty_per_day": "late penalty per day",
    "late_penalty_cap": "late penalty cap", "max_submissions_per_day": "submissions per day",
    "score_policy": "score that counts", "submissions": "submissions queued",
}


def label(key: str) -> str:
    return LABELS.get(key, key.replace("_", " "))


def readable(value: Any) -> str:
    """Word one recorded value: times in UTC, lists joined, nothing as "none"."""
    if value is None or value == "":
        return "none"
    if isinstance(value, list):
        return ", ".join(readable(item) for item in value) or "none"
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"{value:g}" if isinstance(value, float) else str(value)


def detail_lines(details: dict[str, Any] | None) -> list[str]:
    """Turn an entry's details into lines such as "due: 2030-01-02 03:04 UTC → none"."""
    lines = []
    for key, value in (details or {}).items():
        if key == "changes" and isinstance(value, dict):
            lines += [f"{label(field)}: {readable(old)} → {readable(new)}"
                      for field, (old, new) in value.items()]
            if not value:
                lines.append("nothing changed")
        else:
            lines.append(f"{label(key)}: {readable(value)}")
    return lines


bp.add_app_template_filter(detail_lines, "audit_details")


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
