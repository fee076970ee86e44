"""Regrade requests: a student asks for one test of a graded submission to be looked at again;
an instructor answers, and may set that test's points with a reason.

The points set are a PointsAdjustment: grader.grades counts them in place of what a grading
gives the test, on every surface, and a later grading (a regrade of the whole assignment
included) does not undo them. If a later grading has no test of that name, the adjustment
cannot apply: `replaced_adjustments` lists those for the instructor's queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader import audit
from grader.groups import is_member
from grader.models import PointsAdjustment, RegradeRequest, Submission, User, utcnow

MAX_MESSAGE = 4000


@dataclass
class Refused(Exception):
    """A request or an answer that cannot be taken; the message says why."""

    message: str

    def __str__(self) -> str:
        return self.message


def tests_of(submission: Submission) -> dict[str, dict]:
    """The tests of the submission's last final grading, by name."""
    return {test.get("name"): test for test in (submission.result or {}).get("tests", [])}


def ask(session: Session, student: User, submission: Submission, test_name: str,
        message: str) -> RegradeRequest:
    """Store a student's request about one test of their own graded submission (committed)."""
    message = (message or "").strip()
    if submission.user_id != student.id and not (
            submission.group_id and is_member(session, student, submission.group_id)):
        raise Refused("You can ask for a review of your own (or your group's) submissions only.")
    if submission.raw_score is None or not submission.result:
        raise Refused("This submission has no grade yet: ask once it is graded.")
    if test_name not in tests_of(submission):
        raise Refused(f"This submission has no test called {test_name!r}.")
    if not message:
        raise Refused("Say what you would like the instructor to look at.")
    if len(message) > MAX_MESSAGE:
        raise Refused(f"Keep the message under {MAX_MESSAGE} characters.")
    if session.scalar(select(RegradeRequest.id).where(
            RegradeRequest.submission_id == submission.id,
            RegradeRequest.test_name == test_name, RegradeRequest.status == "open")):
        raise Refused(f"You already asked about {test_name!r}; the instructor will answer it.")
    request = RegradeRequest(submission=submission, user=student, test_name=test_name,
                             message=message)
    session.add(request)
    audit.record(session, student, "regrade_request.open", submission.assignment_slug,
                 submission=submission.id, test=test_name)
    session.commit()
    return request


def answer(session: Session, instructor: User, request: RegradeRequest, text: str,
           points: float | None = None, reason: str = "") -> RegradeRequest:
    """Answer a request (committed); with points, set the test's points for good, with reason."""
    text, reason = (text or "").strip(), (reason or "").strip()
    if not text:
        raise Refused("Write an answer: the student reads it.")
    adjustment = None
    if points is not None:
        test = tests_of(request.submission).get(request.test_name)
        if test is None:
            raise Refused(f"The submission's grading has no test {request.test_name!r} now.")
        most = float(test.get("max_score") or 0.0)
        if not 0 <= points <= most:
            raise Refused(f"The points of {request.test_name!r} must be between 0 and {most:g}.")
        if not reason:
            raise Refused("Give the reason for the points: the audit trail keeps it.")
        adjustment = session.scalar(select(PointsAdjustment).where(
            PointsAdjustment.submission_id == request.submission_id,
            PointsAdjustment.test_name == request.test_name))
        if adjustment is None:
            adjustment = PointsAdjustment(submission=request.submission,
                                          test_name=request.test_name)
            session.add(adjustment)
        before = float(test.get("score") or 0.0)
        adjustment.points, adjustment.reason = points, reason
        adjustment.request_id, adjustment.adjusted_by_id = request.id, instructor.id
    request.status, request.answer = "answered", text
    request.answered_by, request.answered_at = instructor, utcnow()
    details = {"submission": request.submission_id, "test": request.test_name}
    if adjustment is not None:
        details |= {"changes": {"points": [before, points]}, "reason": reason}
    audit.record(session, instructor, "regrade_request.answer",
                 request.submission.user.username, **details)
    session.commit()
    return request


def adjustment_for(submission: Submission, test_name: str) -> PointsAdjustment | None:
    return next((a for a in submission.adjustments if a.test_name == test_name), None)


def replaced_adjustments(session: Session) -> list[PointsAdjustment]:
    """Adjustments a later grading replaced: its result has no test of their name any more."""
    rows = session.scalars(select(PointsAdjustment).order_by(PointsAdjustment.id)).all()
    return [row for row in rows
            if row.submission.result is not None
            and row.test_name not in tests_of(row.submission)]


def queue(session: Session) -> list[RegradeRequest]:
    """Every request, the open ones first (oldest first), then the answered (newest first)."""
    rows = session.scalars(select(RegradeRequest).order_by(RegradeRequest.id)).all()
    opened = [row for row in rows if row.status == "open"]
    answered = sorted((row for row in rows if row.status != "open"),
                      key=lambda row: row.answered_at or row.created_at, reverse=True)
    return opened + answered


def requests_on(session: Session, submission: Submission) -> list[RegradeRequest]:
    return session.scalars(select(RegradeRequest).where(
        RegradeRequest.submission_id == submission.id).order_by(RegradeRequest.id)).all()
