"""API routes: assignments, submitting, submission status; instructors: lists, regrades, grades."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request, url_for
from sqlalchemy import select, text

from grader import groups, submissions
from grader.api.errors import error_response
from grader.api.openapi import openapi_document
from grader.api.schemas import SubmissionFilter, load_query
from grader.api.tokens import api_user, instructor_token_required, rate_key, token_required
from grader.auth.access import can_view
from grader.course import assignment_in_force_or_404, assignments_in_force
from grader.db import get_session
from grader.extensions import limiter
from grader.feedback import iso, status_document, submission_scores
from grader.grades import Grade, grade_of, student_grades
from grader.instructor.exports import grades_response
from grader.models import Status, Submission, User, utcnow
from grader.policy import score_policy
from grader.regrade import start_regrade

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def submit_limit() -> str:
    """Return the configured submission rate limit."""
    return current_app.config["SUBMIT_RATE_LIMIT"]


def assignment_document(assignment, grade: Grade | None = None) -> dict:
    """Describe an assignment in JSON: the caller's own dates and grade when grade is given.

    grade.policy is the assignment as it applies to the student (their extension's dates).
    best_score is kept for older clients: it is the counted score, whatever the score policy.
    """
    policy = grade.policy if grade is not None else assignment
    return {
        "slug": assignment.slug,
        "title": assignment.title,
        "submit_file": assignment.submit_file,
        "points": assignment.points,
        "due": iso(policy.due),
        "hard_close": iso(policy.hard_close),
        "late_penalty_per_day": policy.late_penalty_per_day,
        "late_penalty_cap": policy.late_penalty_cap,
        "max_submissions_per_day": getattr(policy, "max_submissions_per_day", None),
        "score_policy": score_policy(policy),
        "extended": grade is not None and policy.due != assignment.due,
        "best_score": grade.score if grade else None,
        "counted_score": grade.score if grade else None,
        "counted_raw_score": grade.raw_score if grade else None,
        "counted_late_penalty": grade.late_penalty if grade else 0.0,
        "counted_max_score": grade.max_score if grade else None,
        "counted_submission": grade.submission.id if grade and grade.submission else None,
        "grade_held": grade is not None and grade.held_since is not None,
        "counted_late_days": grade.late_days if grade else 0,
        "late_days_left": grade.late_days_left if grade else None,
        "late_days_budget": grade.late_days_budget if grade else None,
        "url": url_for("student.assignment", slug=assignment.slug, _external=True),
    }


def summary_document(submission: Submission, grade: Grade | None) -> dict:
    """Describe a submission briefly, for lists: its score as its own document gives it.

    grade is its owner's on the assignment (None when the assignment left the course).
    """
    scores = submission_scores(submission, grade.policy if grade else None,
                               grade.late_days if grade else 0)
    return {
        "id": submission.id,
        "assignment": submission.assignment_slug,
        "user": submission.user.username,
        "status": submission.status,
        **scores,
        "counts": bool(grade and grade.submission is submission),
        "submitted_at": iso(submission.submitted_at),
        "finished_at": iso(submission.finished_at),
        "url": url_for("api.get_submission", submission_id=submission.id, _external=True),
    }


def holder(row: Submission, caller: User) -> User:
    """Whose grade a document of row shows: a student caller's own (they see only theirs and
    their group's), the submitter's for an instructor."""
    return row.user if caller.is_instructor else caller


def owners_grades(rows: list[Submission]) -> dict[tuple[int, str], Grade]:
    """The grade on the row's assignment of each row's holder (grader.api.views.holder), by
    (the row's user id, slug)."""
    course = assignments_in_force()
    caller = api_user()
    owners: dict[str, dict[int, User]] = {}
    for row in rows:
        if row.assignment_slug in course:
            owners.setdefault(row.assignment_slug, {})[row.user_id] = holder(row, caller)
    grades = {}
    for slug, users in owners.items():
        held = student_grades(get_session(), course[slug], list(set(users.values())))
        for user_id, user in users.items():
            grades[user_id, slug] = held[user.id]
    return grades


def summaries(rows: list[Submission]) -> list[dict]:
    """Describe rows for a list, each with its owner's grade in view."""
    grades = owners_grades(rows)
    return [summary_document(row, grades.get((row.user_id, row.assignment_slug))) for row in rows]


def visible_submission(submission_id: int) -> Submission:
    """Return the submission if the caller may see it; 404 otherwise (existence not leaked)."""
    submission = get_session().get(Submission, submission_id)
    if submission is None or not can_view(api_user(), submission):
        abort(404, description=f"No submission {submission_id}.")
    return submission


@bp.get("/openapi.json")
def openapi():
    """This document: the API described in OpenAPI 3.1.

    ---
    responses:
      "200":
        description: The OpenAPI document.
        content:
          application/json:
            schema: {type: object}
    """
    server = request.host_url.rstrip("/") + bp.url_prefix
    return jsonify(openapi_document(current_app, bp, server))


@bp.get("/health")
def health():
    """Health check of the app and its database, for load balancers and compose.

    ---
    responses:
      "200":
        description: Healthy.
        content:
          application/json:
            schema: Health
      "503":
        description: The database does not answer.
        content:
          application/json:
            schema: Error
    """
    try:
        get_session().execute(text("SELECT 1"))
    except Exception:
        return error_response(503, "The database does not answer.")
    return jsonify(status="ok")


@bp.get("/me")
@token_required
def me():
    """The token's account.

    ---
    responses:
      "200":
        description: The account.
        content:
          application/json:
            schema: Account
    """
    user = api_user()
    return jsonify(username=user.username, role=user.role)


@bp.get("/assignments")
@token_required
def list_assignments():
    """List assignments with your own dates and counted grade.

    ---
    responses:
      "200":
        description: The assignments, in course order.
        content:
          application/json:
            schema: AssignmentList
    """
    session, user = get_session(), api_user()
    return jsonify(assignments=[assignment_document(a, grade_of(session, a, user))
                                | group_fields(user, a.slug)
                                for a in assignments_in_force().values()])


@bp.get("/assignments/<slug>")
@token_required
def get_assignment_document(slug: str):
    """Describe one assignment with your own dates and counted grade.

    ---
    responses:
      "200":
        description: The assignment.
        content:
          application/json:
            schema: Assignment
      "404":
        description: No such assignment.
        content:
          application/json:
            schema: Error
    """
    assignment = assignment_in_force_or_404(slug)
    user = api_user()
    return jsonify(assignment_document(assignment, grade_of(get_session(), assignment, user))
                   | group_fields(user, slug))


def group_fields(user: User, slug: str) -> dict:
    """The largest group the assignment takes and the caller's group on it (its confirmed
    members' usernames; null when they work alone)."""
    session = get_session()
    return {"max_group_size": groups.max_size(session, slug),
            "group": groups.member_names(session, groups.group_for(session, user, slug))}


@bp.get("/assignments/<slug>/submissions")
@token_required
def list_own_submissions(slug: str):
    """List your submissions to an assignment.

    ---
    responses:
      "200":
        description: Newest first.
        content:
          application/json:
            schema: SubmissionList
      "404":
        description: No such assignment.
        content:
          application/json:
            schema: Error
    """
    assignment_in_force_or_404(slug)
    session, user = get_session(), api_user()
    rows = session.scalars(
        select(Submission)
        .where(groups.theirs(user, groups.group_for(session, user, slug)),
               Submission.assignment_slug == slug)
        .order_by(Submission.id.desc())
    ).all()
    return jsonify(submissions=summaries(rows))


@bp.post("/assignments/<slug>/submissions")
@limiter.limit(submit_limit, key_func=rate_key)
@token_required
def create_submission(slug: str):
    """Submit a file for grading (multipart field `file`); answer 201 with where to follow it.

    ---
    description: >-
      The file must be UTF-8 Python source that compiles, of at most MAX_UPLOAD_BYTES (64 KiB
      by default). It is stored, then queued; poll `url`.
    requestBody:
      required: true
      content:
        multipart/form-data:
          schema:
            type: object
            required: [file]
            properties:
              file:
                type: string
                format: binary
                description: The Python source file, UTF-8, sent as a file (with a filename).
          encoding:
            file:
              contentType: text/x-python
              headers:
                Content-Disposition:
                  required: true
                  schema:
                    type: string
                    example: 'form-data; name="file"; filename="gradient.py"'
    responses:
      "201":
        description: Stored and queued.
        headers:
          Location:
            description: The submission's URL, to poll.
            schema: {type: string, format: uri}
        content:
          application/json:
            schema: SubmissionCreated
      "400":
        description: Missing file, not UTF-8, not Python, or empty.
        content:
          application/json:
            schema: Error
      "403":
        description: The assignment is closed.
        content:
          application/json:
            schema: Error
      "404":
        description: No such assignment.
        content:
          application/json:
            schema: Error
      "413":
        description: The file is over the size limit.
        content:
          application/json:
            schema: Error
      "429":
        description: >-
          Too many requests (see Retry-After), or the assignment's daily submission limit is
          reached (code `daily_limit`).
        content:
          application/json:
            schema: Error
    """
    assignment = assignment_in_force_or_404(slug)
    upload = request.files.get("file")
    if upload is None:
        return error_response(400, "Send the file as multipart field 'file'.", "missing_file")
    try:
        submission = submissions.submit(get_session(), api_user(), assignment, upload.read())
    except submissions.Rejected as refusal:
        return error_response(refusal.status, refusal.message, refusal.code)
    url = url_for("api.get_submission", submission_id=submission.id, _external=True)
    response = jsonify(
        id=submission.id,
        status=submission.status,
        url=url,
        html_url=url_for("student.submission", submission_id=submission.id, _external=True),
    )
    response.status_code = 201
    response.headers["Location"] = url
    return response


@bp.get("/submissions/<int:submission_id>")
@token_required
def get_submission(submission_id: int):
    """A submission's status and, once graded, its result document.

    ---
    description: >-
      `result` is null until `status` is `graded`; while it is `running`, `partial_result` shows
      the public tests' verdict once they are judged.
    responses:
      "200":
        description: The submission.
        content:
          application/json:
            schema: Submission
      "404":
        description: No such submission, or not yours.
        content:
          application/json:
            schema: Error
    """
    submission = visible_submission(submission_id)
    grade = owners_grades([submission]).get((submission.user_id, submission.assignment_slug))
    document = status_document(submission, grade, api_user(), utcnow())
    document["group"] = groups.member_names(get_session(), submission.group_id)
    response = jsonify(document)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/submissions")
@instructor_token_required
def list_submissions():
    """List everyone's submissions (instructors only), filtered by assignment, user and status.

    ---
    parameters:
      - in: query
        schema: SubmissionFilter
    responses:
      "200":
        description: Newest first.
        content:
          application/json:
            schema: SubmissionList
      "400":
        description: A filter is not valid (an unknown status, a limit out of 1-1000).
        content:
          application/json:
            schema: Error
    """
    try:
        filters = load_query(SubmissionFilter(), request.args)
    except ValueError as bad:
        return error_response(400, str(bad))
    query = select(Submission).join(Submission.user)
    if filters.get("assignment"):
        query = query.where(Submission.assignment_slug == filters["assignment"])
    if filters.get("user"):
        query = query.where(User.username == filters["user"].strip().lower())
    if filters.get("status"):
        query = query.where(Submission.status == filters["status"])
    rows = get_session().scalars(
        query.order_by(Submission.id.desc()).limit(filters["limit"])).all()
    return jsonify(submissions=summaries(rows))


@bp.post("/submissions/<int:submission_id>/regrade")
@instructor_token_required
def regrade_submission(submission_id: int):
    """Grade a submission again (instructors only); the earlier grading stays on record.

    ---
    responses:
      "202":
        description: Queued for regrading; earlier gradings are kept.
        content:
          application/json:
            schema: RegradeQueued
      "404":
        description: No such submission, or not yours.
        content:
          application/json:
            schema: Error
      "409":
        description: Already waiting or being graded.
        content:
          application/json:
            schema: Error
    """
    submission = visible_submission(submission_id)
    batch = start_regrade(get_session(), api_user(), submission.assignment_slug, [submission],
                          f"submission {submission_id}")
    if not batch.submission_ids:
        return error_response(409, "The submission is already waiting or being graded.")
    response = jsonify(id=submission.id, status=Status.QUEUED.value)
    response.status_code = 202
    return response


@bp.get("/assignments/<slug>/grades.csv")
@instructor_token_required
def grades_csv(slug: str):
    """The class's counted grades for an assignment as CSV (instructors only).

    ---
    description: >-
      One row per student: username, name, score (counted score after the late penalty, by the
      assignment's best/last policy), max_score, late_penalty (fraction applied), submitted_at,
      submission_id, raw_score (before the penalty).
    responses:
      "200":
        description: CSV with a header row.
        content:
          text/csv:
            schema: {type: string}
      "404":
        description: No such assignment.
        content:
          application/json:
            schema: Error
    """
    return grades_response(slug)
