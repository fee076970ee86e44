"""The course as the service sees it: its assignments, deadlines and late penalties."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import abort, current_app, g

if TYPE_CHECKING:
    from grader.grading.assignments import Assignment


def assignments_in_force() -> dict[str, Assignment]:
    """Return the course's assignments keyed by slug, instructors' policy overrides applied.

    The manifests are read once per app; the overrides once per request (grader.policy).
    """
    catalog = current_app.extensions.get("grader.course")
    if catalog is None:
        from grader.grading.assignments import load_assignments

        catalog = current_app.extensions["grader.course"] = load_assignments()
    if "course_in_force" not in g:
        from grader.db import get_session
        from grader.policy import in_force

        g.course_in_force = in_force(get_session(), catalog)
    return g.course_in_force


def manifest_assignments() -> dict[str, Assignment]:
    """Return the assignments as their manifests define them, without overrides."""
    assignments_in_force()
    return current_app.extensions["grader.course"]


def assignment_in_force(slug: str) -> Assignment | None:
    """Return the assignment called slug as it stands for this course, overrides applied, or None.

    Unlike grader.grading.assignments.get_assignment (the manifest alone, UnknownAssignment when
    missing), this is what the web shows and scores against.
    """
    return assignments_in_force().get(slug)


def assignment_in_force_or_404(slug: str) -> Assignment:
    """Return the assignment called slug, overrides applied, or answer 404."""
    assignment = assignment_in_force(slug)
    if assignment is None:
        abort(404, description=f"No assignment called {slug!r}.")
    return assignment


def is_closed(assignment: Assignment, when: datetime) -> bool:
    """Tell whether the assignment stopped accepting submissions at `when`."""
    return assignment.hard_close is not None and when > assignment.hard_close


def days_late(assignment: Assignment, when: datetime) -> int:
    """Count started days past the due date (0 when on time or no due date)."""
    if assignment.due is None or when <= assignment.due:
        return 0
    return math.ceil((when - assignment.due) / timedelta(days=1))


def late_penalty(assignment: Assignment, when: datetime, late_days: int = 0) -> float:
    """Return the fraction of the score lost for handing in at `when`; each of the student's
    late days spent on the assignment (grader.late_days) removes one started day's penalty."""
    days = max(0, days_late(assignment, when) - late_days)
    if not days:
        return 0.0
    return min(assignment.late_penalty_cap, days * assignment.late_penalty_per_day)


def after_due(assignment: Assignment, when: datetime) -> bool:
    """Tell whether the due date has passed (hidden feedback may then be shown)."""
    return assignment.due is not None and when > assignment.due
