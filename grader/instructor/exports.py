"""Exports: the class's grades as CSV and the assignment's Gradescope autograder zip."""

from __future__ import annotations

from flask import Response

from grader.auth.access import instructor_required
from grader.course import assignment_in_force_or_404
from grader.db import get_session
from grader.grades import class_grades, grades_csv
from grader.gradescope import autograder_zip as build_autograder_zip
from grader.grading.assignments import load_assignments
from grader.instructor.views import bp


def grades_response(slug: str) -> Response:
    """Answer with the assignment's grades as a CSV download (shared with the API)."""
    assignment = assignment_in_force_or_404(slug)
    return Response(
        grades_csv(class_grades(get_session(), assignment)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{slug}-grades.csv"',
                 "Cache-Control": "no-store"},
    )


@bp.route("/assignments/<slug>/grades.csv")
@instructor_required
def grades_csv_download(slug: str):
    """Download one row per student: counted score, max, late penalty, submission time."""
    return grades_response(slug)


@bp.route("/assignments/<slug>/autograder.zip")
@instructor_required
def autograder_zip(slug: str):
    """Download the zip that runs this assignment's grading on Gradescope."""
    assignment_in_force_or_404(slug)
    assignment = load_assignments()[slug]  # the folder itself, whatever the course overrides
    return Response(
        build_autograder_zip(assignment),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{slug}-autograder.zip"'},
    )
