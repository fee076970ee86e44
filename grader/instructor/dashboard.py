"""An assignment's dashboard: class summary, charts, queue state, the submissions table."""

from __future__ import annotations

import json
from datetime import timedelta

from flask import (
    Response,
    abort,
    current_app,
    get_template_attribute,
    jsonify,
    render_template,
    request,
    url_for,
)
from sqlalchemy import func, select

from grader.auth.access import instructor_required
from grader.auth.forms import ActionForm
from grader.course import assignment_in_force_or_404, manifest_assignments
from grader.db import get_session
from grader.grades import class_grades
from grader.grading.results import strict_json
from grader.instructor import charts, stats
from grader.instructor.forms import RegradeForm
from grader.instructor.views import bp
from grader.models import RegradeBatch, Status, Submission, User

TABLE_SIZE = 100
SORTS = {
    "time": Submission.submitted_at,
    "student": User.username,
    "score": Submission.score,
    "status": Submission.status,
}
# Charts are separate SVG documents shown with <img>: matplotlib writes inline styles, which
# this policy allows for the image alone; an SVG shown as an image never runs script.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def summary_for(slug: str):
    """Return the assignment, every student's grade and the summary built from them."""
    assignment = assignment_in_force_or_404(slug)
    grades = class_grades(get_session(), assignment)
    return assignment, grades, stats.summarize(grades)


def percent_filter(args, name: str, errors: list[str]) -> float | None:
    """Read a score filter typed in percent of the maximum (0-100); note what is wrong."""
    text = (args.get(name) or "").strip().rstrip("%").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        errors.append(f"{FILTER_LABELS[name]}: {args.get(name)!r} is not a number; "
                      "type a percentage such as 50.")
        return None
    if not 0 <= value <= 100:
        errors.append(f"{FILTER_LABELS[name]}: {value:g} is not between 0 and 100 (percent).")
        return None
    return value


FILTER_LABELS = {"min_score": "Score ≥", "max_score": "Score ≤"}


def submissions_query(slug: str, args) -> tuple:
    """Build the table's query from the request's filters and sort; return it and the filters.

    Scores filter in percent of the maximum, like the histogram. A filter that is not a
    number is reported in filters["errors"] and not applied.
    """
    query = select(Submission).join(Submission.user).where(Submission.assignment_slug == slug)
    errors: list[str] = []
    filters = {
        "student": (args.get("student") or "").strip().lower(),
        "status": args.get("status") or "",
        "min_score": percent_filter(args, "min_score", errors),
        "max_score": percent_filter(args, "max_score", errors),
        "sort": args.get("sort") if args.get("sort") in SORTS else "time",
        "order": "asc" if args.get("order") == "asc" else "desc",
    }
    if filters["student"]:
        query = query.where(User.username.contains(filters["student"], autoescape=True))
    if filters["status"] in set(Status):
        query = query.where(Submission.status == filters["status"])
    if filters["min_score"] is not None:
        query = query.where(Submission.score >= filters["min_score"] / 100 * Submission.max_score)
    if filters["max_score"] is not None:
        query = query.where(Submission.score <= filters["max_score"] / 100 * Submission.max_score)
    column = SORTS[filters["sort"]]
    ordered = column.asc() if filters["order"] == "asc" else column.desc()
    query = query.order_by(ordered.nulls_last(), Submission.id.desc())
    return query, {**filters, "errors": errors}


def batch_progress(batch: RegradeBatch) -> dict:
    """Count a regrade's submissions by state (done = graded or error again)."""
    counts = dict(get_session().execute(
        select(Submission.status, func.count())
        .where(Submission.id.in_(batch.submission_ids))
        .group_by(Submission.status)
    ).all())
    done = counts.get(Status.GRADED.value, 0) + counts.get(Status.ERROR.value, 0)
    return {"id": batch.id, "scope": batch.scope, "total": len(batch.submission_ids),
            "done": done, "queued": counts.get(Status.QUEUED.value, 0),
            "running": counts.get(Status.RUNNING.value, 0),
            "started_at": batch.started_at.isoformat(),
            "started_by": batch.started_by.username if batch.started_by else None}


def recent_batches(slug: str, limit: int = 5) -> list[dict]:
    """Return the assignment's latest regrades with their progress."""
    batches = get_session().scalars(
        select(RegradeBatch).where(RegradeBatch.assignment_slug == slug)
        .order_by(RegradeBatch.id.desc()).limit(limit)
    ).all()
    return [batch_progress(b) for b in batches]


def stale_after() -> timedelta:
    return timedelta(seconds=current_app.config["HEARTBEAT_STALE_SECONDS"])


@bp.route("/assignments/<slug>")
@instructor_required
def dashboard(slug: str):
    """Show an assignment's dashboard."""
    assignment, grades, summary = summary_for(slug)
    query, filters = submissions_query(slug, request.args)
    page = max(1, request.args.get("page", 1, type=int))
    session = get_session()
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.offset((page - 1) * TABLE_SIZE).limit(TABLE_SIZE)).all()
    status = 400 if filters["errors"] else 200
    return render_template(
        "instructor/dashboard.html",
        assignment=assignment,
        manifest=manifest_assignments().get(slug),
        summary=summary,
        grades=grades,
        queue=stats.queue_state(session, stale_after(), slug),
        batches=recent_batches(slug),
        submissions=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // TABLE_SIZE)),
        filters=filters,
        statuses=list(Status),
        regrade_form=RegradeForm(),
        action=ActionForm(),
    ), status


@bp.route("/assignments/<slug>/charts/<name>.svg")
@instructor_required
def chart(slug: str, name: str):
    """Draw one of the dashboard's charts."""
    _assignment, _grades, summary = summary_for(slug)
    if name == "histogram":
        svg = charts.histogram_svg(summary.histogram, summary.labels)
    elif name == "pass-rates":
        svg = charts.pass_rates_svg(summary.pass_rates)
    elif name == "categories":
        svg = charts.categories_svg(summary.categories)
    else:
        abort(404)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_POLICY
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/queue.json")
@instructor_required
def queue():
    """Report the queue (and an assignment's regrades) for the dashboard's live panel."""
    slug = request.args.get("assignment") or None
    state = stats.queue_state(get_session(), stale_after(), slug)
    workers = stats.celery_workers(current_app.extensions["celery"],
                                   current_app.config.get("INSPECT_TIMEOUT", 1.0))
    state["workers"] = workers  # null: the broker could not tell
    if slug:
        assignment_in_force_or_404(slug)
        state["batches"] = recent_batches(slug)
    response = jsonify(state)
    response.headers["Cache-Control"] = "no-store"
    return response


ROWS_TEMPLATE = "instructor/_dashboard_rows.html"


@bp.route("/assignments/<slug>/rows.json")
@instructor_required
def dashboard_rows(slug: str):
    """Render again the table rows the dashboard shows (ids=1,2,3) and the counted grades, for
    its live update: the same macros as the page, so escaped and worded alike."""
    assignment = assignment_in_force_or_404(slug)
    wanted = [int(part) for part in request.args.get("ids", "").split(",") if part.isdigit()]
    rows = get_session().scalars(
        select(Submission).where(Submission.id.in_(wanted[:TABLE_SIZE]),
                                 Submission.assignment_slug == slug)
    ).all()
    submission_row = get_template_attribute(ROWS_TEMPLATE, "submission_row")
    grade_row = get_template_attribute(ROWS_TEMPLATE, "grade_row")
    response = jsonify(
        rows={row.id: str(submission_row(row)) for row in rows},
        grades="".join(str(grade_row(grade))
                       for grade in class_grades(get_session(), assignment)),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/submissions/<int:submission_id>/results.json")
@instructor_required
def results_json(submission_id: int):
    """Download a submission's Gradescope-format result document (hidden tests included)."""
    submission = get_session().get(Submission, submission_id)
    if submission is None or submission.result is None:
        abort(404)
    name = f"{submission.assignment_slug}-{submission.user.username}-{submission.id}.json"
    return Response(
        json.dumps(strict_json(submission.result), indent=2, allow_nan=False),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def sort_link(filters: dict, column: str) -> str:
    """Link to the table sorted by column (toggling the order when it is the current one)."""
    order = "asc" if filters["sort"] == column and filters["order"] == "desc" else "desc"
    args = {k: v for k, v in filters.items() if v not in (None, "") and k != "errors"}
    args.update(sort=column, order=order)
    return url_for("instructor.dashboard", slug=request.view_args["slug"], **args) + "#table"


def sort_state(filters: dict, column: str) -> str:
    """Return the column's aria-sort value: ascending, descending or none."""
    if filters["sort"] != column:
        return "none"
    return "ascending" if filters["order"] == "asc" else "descending"


bp.add_app_template_global(sort_link, "sort_link")
bp.add_app_template_global(sort_state, "sort_state")
