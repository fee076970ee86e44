"""The instructor landing page: every submission, filterable, newest first.

The blueprint's other pages live beside it, one module per concern: dashboard, policy,
regrades, roster, exports, similar, audit.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import func, select

from grader.auth.access import instructor_required
from grader.course import assignments_in_force
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
        assignments=assignments_in_force().values(),
        statuses=list(Status),
        counts=counts,
        students=students,
        filters={"assignment": slug, "status": status, "user": username},
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        total=total,
    )
