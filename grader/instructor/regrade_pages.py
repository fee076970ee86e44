"""Regrade one submission, a student's, or a whole assignment (grader.regrade does the work)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user
from sqlalchemy import select

from grader.auth.access import instructor_required
from grader.auth.forms import ActionForm
from grader.course import assignment_in_force_or_404
from grader.db import get_session
from grader.instructor.forms import RegradeForm
from grader.instructor.views import bp
from grader.models import Submission, User
from grader.regrade import start_regrade


@bp.post("/assignments/<slug>/regrade")
@instructor_required
def regrade_assignment(slug: str):
    """Regrade every submission of a student (username given) or of the whole assignment."""
    assignment_in_force_or_404(slug)
    form = RegradeForm()
    session = get_session()
    if not form.validate_on_submit():
        flash("The regrade form expired; try again.", "error")
        return redirect(url_for("instructor.dashboard", slug=slug))
    query = select(Submission).where(Submission.assignment_slug == slug)
    scope = "all submissions"
    if form.username.data:
        student = User.by_username(session, form.username.data)
        if student is None:
            flash(f"No account called {form.username.data!r}.", "error")
            return redirect(url_for("instructor.dashboard", slug=slug))
        query = query.where(Submission.user_id == student.id)
        scope = f"student {student.username}"
    rows = session.scalars(query.order_by(Submission.id)).all()
    batch = start_regrade(session, current_user, slug, rows, scope)
    flash(f"Regrade #{batch.id} queued {len(batch.submission_ids)} of {len(rows)} submissions "
          f"({scope}).", "info")
    return redirect(url_for("instructor.dashboard", slug=slug) + "#regrades")


@bp.post("/submissions/<int:submission_id>/regrade")
@instructor_required
def regrade(submission_id: int):
    """Grade one submission again; its earlier gradings stay on record."""
    session = get_session()
    submission = session.get(Submission, submission_id)
    if submission is None:
        abort(404)
    if ActionForm().validate_on_submit():
        batch = start_regrade(session, current_user, submission.assignment_slug, [submission],
                              f"submission {submission_id}")
        if batch.submission_ids:
            flash(f"Submission {submission_id} queued for regrading.", "info")
        else:
            flash(f"Submission {submission_id} is already waiting or being graded.", "error")
    return redirect(url_for("student.submission", submission_id=submission_id))
