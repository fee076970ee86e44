"""The instructor landing page: every submission, filterable, newest first."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from grader import submissions
from grader.auth.access import instructor_required
from grader.auth.forms import ActionForm
from grader.course import assignments
from grader.db import get_session
from grader.models import Role, Status, Submission, User

bp = Blueprint("instructor", __name__, url_prefix="/instructor")
PAGE_SIZE = 50


@bp.route("/")
@instructor_required
def index():
    """List submissions with filters by assignment, status and student."""
    session = get_session()
    slug = request.args.get("assignment") or None
    status = request.args.get("status") or None
    username = (request.args.get("user") or "").strip().lower() or None
    page = max(1, request.args.get("page", 1, type=int))

    query = select(Submission).join(Submission.user)
    if slug:
        query = query.where(Submission.assignment_slug == slug)
    if status in set(Status):
        query = query.where(Submission.status == status)
    if username:
        query = query.where(User.username == username)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(
        query.order_by(Submission.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()

    counts = dict(
        session.execute(
            select(Submission.status, func.count()).group_by(Submission.status)
        ).all()
    )
    students = session.scalar(select(func.count()).where(User.role == Role.STUDENT))
    return render_template(
        "instructor/index.html",
        submissions=rows,
        assignments=assignments().values(),
        statuses=list(Status),
        counts=counts,
        students=students,
        filters={"assignment": slug, "status": status, "user": username},
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        total=total,
    )


@bp.post("/submissions/<int:submission_id>/regrade")
@instructor_required
def regrade(submission_id: int):
    """Grade a submission again; its earlier gradings stay on record."""
    session = get_session()
    submission = session.get(Submission, submission_id)
    if submission is None:
        abort(404)
    if ActionForm().validate_on_submit():
        if submissions.regrade(session, submission):
            flash(f"Submission {submission_id} queued for regrading.", "info")
        else:
            flash(f"Submission {submission_id} is already waiting or being graded.", "error")
    return redirect(url_for("student.submission", submission_id=submission_id))
