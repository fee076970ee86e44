"""Accept a submission: check the upload, store it, then hand it to the grading queue."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from grader import groups
from grader.course import is_closed, late_penalty
from grader.grading import submitted_file
from grader.models import Status, Submission, User, utcnow
from grader.policy import for_student
from grader.queue import publish_grading

if TYPE_CHECKING:
    from grader.grading.assignments import Assignment

log = logging.getLogger(__name__)


@dataclass
class Rejected(Exception):
    """A submission refused before anything was stored; code and status for API clients."""

    code: str
    message: str
    status: int = 400

    def __str__(self) -> str:
        return self.message


def check_source(data: bytes, filename: str, max_bytes: int) -> str:
    """Return the upload as text if it may be graded, else reject it.

    The rules are the grading core's (grader.grading.submitted_file), the ones the local
    checks apply too; this adds the HTTP status.
    """
    try:
        return submitted_file.check_source(data, filename, max_bytes)
    except submitted_file.RefusedFile as refusal:
        status = 413 if refusal.code == "too_large" else 400
        raise Rejected(refusal.code, refusal.message, status) from None


DAY = timedelta(days=1)


@dataclass
class Allowance:
    """A student's counted submissions in the last 24 hours against the assignment's limit."""

    limit: int
    times: list[datetime]  # of the submissions in the window, oldest first

    @property
    def left(self) -> int:
        return max(0, self.limit - len(self.times))

    @property
    def next_at(self) -> datetime | None:
        """When one more submission becomes possible (the window is rolling: 24 hours)."""
        if not self.times:
            return None
        # Once the oldest submissions beyond the limit leave the window, one slot is free.
        return self.times[max(0, len(self.times) - self.limit)] + DAY


def daily_allowance(session: Session, user: User, assignment: Assignment,
                    now: datetime) -> Allowance | None:
    """Return the student's allowance; None when the assignment (or role) has no limit.

    A submission that ended in `error` is the grader's failure, not the student's, so it does
    not count; one still queued or running does (it will most likely be graded). A group's
    submissions count for each of its members.
    """
    limit = getattr(assignment, "max_submissions_per_day", None)
    if not limit or user.is_instructor:
        return None
    times = session.scalars(
        select(Submission.submitted_at).where(
            groups.theirs(user, groups.group_for(session, user, assignment.slug)),
            Submission.assignment_slug == assignment.slug,
            Submission.submitted_at > now - DAY,
            Submission.status != Status.ERROR,
        ).order_by(Submission.submitted_at)
    ).all()
    return Allowance(limit, list(times))


def check_daily_limit(session: Session, user: User, assignment: Assignment, now) -> None:
    """Refuse a student's submission beyond the assignment's limit for the last 24 hours."""
    allowance = daily_allowance(session, user, assignment, now)
    if allowance is None or allowance.left:
        return
    raise Rejected(
        "daily_limit",
        f"You have submitted {assignment.title} {len(allowance.times)} times in the last "
        f"24 hours (a submission the grader failed on does not count); the limit is "
        f"{allowance.limit}. Test locally with the public tests; "
        f"your next submission is possible at {allowance.next_at:%Y-%m-%d %H:%M} UTC.",
        429,
    )


def create(
    session: Session, user: User, assignment: Assignment, source: str, filename: str
) -> Submission:
    """Store a new submission (committed) for user, and for their group if they are in one;
    reject it if the assignment is closed (to user)."""
    now = utcnow()
    assignment = for_student(session, assignment, user)  # their extension, if any
    if is_closed(assignment, now):
        raise Rejected("closed", f"{assignment.title} closed to submissions.", 403)
    check_daily_limit(session, user, assignment, now)
    submission = Submission(
        user=user,
        assignment_slug=assignment.slug,
        group_id=groups.group_for(session, user, assignment.slug),
        filename=filename,
        source=source,
        status=Status.QUEUED,
        submitted_at=now,
        late_penalty=late_penalty(assignment, now),
    )
    session.add(submission)
    session.commit()  # committed before queued: a worker must always find the row
    return submission


def enqueue(session: Session, submission_id: int) -> bool:
    """Send the grading job; on success record when. A broker failure is logged, not raised."""
    try:
        publish_grading(current_app.extensions["celery"], submission_id)
    except Exception:  # any broker failure: the sweep will queue it once the broker is back
        log.warning("Could not queue submission %s; the sweep will retry", submission_id,
                    exc_info=True)
        return False
    # Only this column: the worker may already be changing the row's status.
    session.execute(
        update(Submission).where(Submission.id == submission_id).values(queued_at=utcnow())
    )
    session.commit()
    return True


def submit(session: Session, user: User, assignment: Assignment, data: bytes) -> Submission:
    """Check, store and queue an upload; return the stored submission."""
    filename = assignment.submit_file  # graded under the name the assignment expects
    source = check_source(data, filename, current_app.config["MAX_UPLOAD_BYTES"])
    submission = create(session, user, assignment, source, filename)
    enqueue(session, submission.id)
    return submission


def mark_for_regrade(session: Session, submission_ids: list[int]) -> list[int]:
    """Put the finished ones among submission_ids back in the queue's state, in the caller's
    transaction; return their ids (one still waiting or running is left as it is).

    One statement for all of them: a reader never sees some of a batch waiting and the rest
    not yet, and a row keeps its last final score until its new grading replaces it.
    """
    if not submission_ids:
        return []
    marked = session.scalars(
        update(Submission)
        .where(
            Submission.id.in_(submission_ids),
            Submission.status.in_([Status.GRADED, Status.ERROR]),
        )
        .values(status=Status.QUEUED, queued_at=None, progress=None)
        .returning(Submission.id)
    ).all()
    return sorted(marked)
