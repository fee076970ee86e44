"""What a viewer may see of a result document, and the live status of a submission."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from grader.course import after_due
from grader.models import Submission, User

if TYPE_CHECKING:
    from grader.grades import Grade
    from grader.grading.assignments import Assignment


def visible_result(
    result: dict[str, Any] | None, assignment: Assignment | None, viewer: User, now: datetime
) -> dict[str, Any] | None:
    """Return the result document as viewer may see it: hidden tests reduced to their outcome.

    The grading package owns the rule (Gradescope's visibility semantics); this applies it
    to students. Every test a student cannot read in full carries `withheld`: "until_due"
    (its details open after the due date) or "always" (they never do), for students and
    instructors alike, so staff see what the student saw.
    """
    if result is None:
        return None
    revealed = assignment is not None and after_due(assignment, now)
    if viewer.is_instructor:
        shown = dict(result)
        shown["tests"] = [dict(test) for test in result.get("tests", [])]
    else:
        from grader.grading.results import student_view

        shown = student_view(result, after_due_date=revealed)
    if "pending_tests" in result:
        shown["pending_tests"] = [dict(test) for test in result["pending_tests"]]
    for test in shown["tests"] + shown.get("pending_tests", []):
        reason = withheld(test.get("visibility"), revealed)
        if reason:
            test["withheld"] = reason
            if not viewer.is_instructor:
                test["hidden"] = True  # the API's flag: details withheld from this reader
    return shown


def in_case_order(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The judged tests and, in a partial document, those still running, by test number."""
    tests = document.get("tests", []) + document.get("pending_tests", [])
    return sorted(tests, key=lambda test: int(test.get("number") or 0))


def withheld(visibility: str | None, revealed: bool) -> str | None:
    """Say why a student cannot read a test's details now: "until_due", "always" or None."""
    if visibility == "visible" or (visibility == "after_due_date" and revealed):
        return None
    return "until_due" if visibility == "after_due_date" else "always"


def submission_scores(submission: Submission, policy: Assignment | None,
                      late_days: int = 0) -> dict[str, Any]:
    """A submission's scores as its page and every API document show them.

    They are those of its last final grading, kept while a regrade runs: score is the
    counted one (after the late penalty under policy, the owner's policy in force, less the
    late days their grade spends on the assignment; None when it cannot count), raw_score the
    one before any penalty. Without a policy (the assignment left the course) the scores
    stored at grading stand.
    """
    from grader.grades import counted_score, last_final

    final = last_final(submission)
    if policy is None:
        score, penalty = submission.score, submission.late_penalty
    else:
        counted = counted_score(policy, submission, late_days)
        score, penalty = counted if counted is not None else (None, 0.0)
    return {
        "score": score if final else None,
        "raw_score": final.raw_score if final else None,
        "max_score": final.max_score if final else None,
        "late_penalty": penalty,
    }


def status_document(
    submission: Submission, grade: Grade | None, viewer: User, now: datetime
) -> dict[str, Any]:
    """Return the API's view of a submission: id, status and the result once graded.

    grade is the owner's on the assignment (None when the assignment left the course): its
    policy gives the dates and the late penalty, as on the pages and in grades.csv. While a
    regrade runs (`regrading`), the scores and the result are those of the last final grading
    until the new one replaces them; partial_result holds the public tests' verdict of a
    running grading once they are judged.
    """
    assignment = grade.policy if grade is not None else None
    scores = submission_scores(submission, assignment, grade.late_days if grade else 0)
    has_final = scores["raw_score"] is not None
    return {
        "id": submission.id,
        "assignment": submission.assignment_slug,
        "user": submission.user.username,
        "status": submission.status,
        "progress": submission.progress,
        "submitted_at": iso(submission.submitted_at),
        "queued_at": iso(submission.queued_at),
        "started_at": iso(submission.started_at),
        "finished_at": iso(submission.finished_at),
        "attempts": submission.attempts,
        **scores,
        "counts": bool(grade and grade.submission is submission),
        "regrading": has_final and not submission.is_final,
        "error": submission.error_message if submission.status == "error" else None,
        "late_days": grade.late_days if grade else 0,
        "late_days_left": grade.late_days_left if grade else None,
        "result": (visible_result(submission.result, assignment, viewer, now)
                   if has_final else None),
        "partial_result": visible_result(running_partial(submission), assignment, viewer, now),
    }


def running_partial(submission: Submission) -> dict[str, Any] | None:
    """The public tests' verdict while the rest of the grading runs; None once it is over.

    It is marked `"partial": true` and lists the tests still running in `pending_tests`;
    it is shown, never counted (grades read only `result` and the score columns).
    """
    if submission.status != "running" or not submission.partial_result:
        return None
    return submission.partial_result


def iso(moment: datetime | None) -> str | None:
    """Format a timestamp for JSON."""
    return moment.isoformat() if moment is not None else None
