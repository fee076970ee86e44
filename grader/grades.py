"""Counted scores: per student, the best or last graded submission, late penalty applied.

The penalty is computed here from the policy in force (overrides and extensions included),
not taken from the row, so a changed due date or an extension changes the grade at once.
Submissions after the (student's) hard close never count.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.course import is_closed, late_penalty
from grader.models import Extension, Role, Status, Submission, User
from grader.policy import score_policy, with_extension

if TYPE_CHECKING:
    from grader.grading.assignments import Assignment


@dataclass
class Grade:
    """A student's standing on one assignment."""

    user: User
    submission: Submission | None = None
    raw_score: float | None = None
    late_penalty: float = 0.0  # fraction of raw_score lost
    score: float | None = None
    max_score: float | None = None
    submitted_at: datetime | None = None
    submissions: int = 0


def counted_score(policy: Assignment, row: Submission) -> tuple[float, float] | None:
    """Return (score, penalty) of row under policy (the owner's), None if it cannot count.

    The one place a counted score is computed: the pages, the gradebook and grades.csv use it.
    """
    if row.status != Status.GRADED or row.raw_score is None:
        return None
    if is_closed(policy, row.submitted_at):
        return None
    penalty = late_penalty(policy, row.submitted_at)
    return row.raw_score * (1.0 - penalty), penalty


def counted(assignment: Assignment, user: User, rows: list[Submission], extension=None) -> Grade:
    """Pick the submission that counts among user's rows (oldest first) and score it."""
    policy = with_extension(assignment, extension)
    grade = Grade(user=user, submissions=len(rows))
    candidates = []
    for row in rows:
        scored = counted_score(policy, row)
        if scored is not None:
            candidates.append((*scored, row))
    if not candidates:
        return grade
    if score_policy(assignment) == "last":
        chosen = candidates[-1]
    else:  # best; the earliest of equal scores
        chosen = max(candidates, key=lambda c: (c[0], -c[2].submitted_at.timestamp()))
    score, penalty, row = chosen
    grade.submission, grade.raw_score, grade.late_penalty = row, row.raw_score, penalty
    grade.score, grade.max_score, grade.submitted_at = score, row.max_score, row.submitted_at
    return grade


def class_grades(session: Session, assignment: Assignment) -> list[Grade]:
    """Return every student's grade on assignment, by username (students without any too)."""
    students = session.scalars(
        select(User).where(User.role == Role.STUDENT).order_by(User.username)
    ).all()
    rows = session.scalars(
        select(Submission)
        .where(Submission.assignment_slug == assignment.slug)
        .order_by(Submission.submitted_at, Submission.id)
    ).all()
    by_user: dict[int, list[Submission]] = {}
    for row in rows:
        by_user.setdefault(row.user_id, []).append(row)
    extensions = {
        e.user_id: e
        for e in session.scalars(
            select(Extension).where(Extension.assignment_slug == assignment.slug)
        )
    }
    return [counted(assignment, user, by_user.get(user.id, []), extensions.get(user.id))
            for user in students]


CSV_COLUMNS = ["username", "name", "score", "max_score", "late_penalty", "submitted_at",
               "submission_id"]


def grades_csv(grades: list[Grade]) -> str:
    """Write one row per student: counted score, max, penalty applied (a fraction), time."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for grade in grades:
        writer.writerow([
            grade.user.username,
            safe_cell(grade.user.name or ""),
            "" if grade.score is None else round(grade.score, 4),
            "" if grade.max_score is None else grade.max_score,
            round(grade.late_penalty, 4),
            grade.submitted_at.isoformat() if grade.submitted_at else "",
            grade.submission.id if grade.submission else "",
        ])
    return out.getvalue()


def safe_cell(text: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
