"""The misconception map: what the class gets wrong, where it shows, and who is stuck.

The work is in grader.misconceptions (counts from stored result documents) and
grader.case_profiles (the cases' graph features); these pages show it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, render_template, request

from grader.auth.access import instructor_required
from grader.case_profiles import FEATURES
from grader.course import assignment_in_force_or_404
from grader.db import get_session
from grader.hints import drawing_of, node_in
from grader.instructor.forms import TIME_FORMATS
from grader.instructor.views import bp
from grader.misconceptions import STUCK_AFTER, class_mistakes
from grader.models import Submission


def moment_param(text: str | None) -> tuple[datetime | None, str | None]:
    """Read a moment typed in 24-hour UTC (2030-01-02 15:00); return it and what was wrong."""
    text = (text or "").strip()
    if not text:
        return None, None
    for layout in TIME_FORMATS + ["%Y-%m-%d"]:
        try:
            return datetime.strptime(text, layout).replace(tzinfo=UTC), None
        except ValueError:
            continue
    return None, (f"The date {text!r} is not a moment in 24-hour UTC; type it as "
                  "2030-01-02 15:00 (or a day, 2030-01-02).")


@bp.route("/assignments/<slug>/misconceptions")
@instructor_required
def misconceptions(slug: str):
    """Show the class's diagnosis categories across graph features, and the stuck list."""
    assignment = assignment_in_force_or_404(slug)
    split, error = moment_param(request.args.get("split"))
    mistakes = class_mistakes(get_session(), assignment, split)
    page = render_template("instructor/misconceptions.html", assignment=assignment,
                           mistakes=mistakes, split=split, error=error, features=FEATURES,
                           typed=request.args.get("split", ""), stuck_after=STUCK_AFTER)
    return page, 400 if error else 200


@bp.route("/assignments/<slug>/misconceptions/<category>/<feature>")
@instructor_required
def misconception_cell(slug: str, category: str, feature: str):
    """List the students behind one cell of the map, and the smallest case that shows it."""
    assignment = assignment_in_force_or_404(slug)
    split, error = moment_param(request.args.get("split"))
    side = request.args.get("side", "now")
    if error or side not in ("now", "before", "after") or (side != "now" and split is None):
        abort(404)
    mistakes = class_mistakes(get_session(), assignment, split, stuck=False)
    cell = getattr(mistakes, side).cell(category, feature)
    if cell is None:
        abort(404)
    session = get_session()
    rows = [session.get(Submission, sid) for _, sid in sorted(cell.submissions.items())]
    return render_template("instructor/misconception_cell.html", assignment=assignment,
                           cell=cell, rows=rows, feature_label=FEATURES.get(feature, feature),
                           side=side, split=split, drawing=smallest_drawn(cell, rows))


def smallest_drawn(cell, rows: list[Submission]):
    """The cell's smallest case drawn, marked where the first of its students went wrong."""
    case = cell.smallest
    if case is None or not case.drawable:
        return None
    for row in rows:
        for test in (row.result or {}).get("tests", []):
            diagnosis = (test.get("extra_data") or {}).get("diagnosis") or {}
            if test.get("name") == case.name and cell.category in (test.get("tags") or []):
                node = node_in(case, diagnosis.get("node"))
                if node is not None:
                    return drawing_of(case, node, diagnosis["node"])
    return None
