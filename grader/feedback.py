"""What a viewer may see of a result document, and the live status of a submission."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from grader.course import after_due
from grader.models import Submission, User

if TYPE_CHECKING:
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


def diagnosis(test: dict[str, Any]) -> dict[str, Any] | None:
    """Return the test's diagnosis (node, expected vs received, hint) if it has one."""
    extra = test.get("extra_data") or {}
    found = extra.get("diagnosis") if isinstance(extra, dict) else None
    return found if isinstance(found, dict) and found else None


def status_document(
    submission: Submission, assignment: Assignment | None, viewer: User, now: datetime
) -> dict[str, Any]:
    """Return the API's view of a submission: id, status and the result once graded.

    While it runs, partial_result holds the public tests' verdict once they are judged.

    The score is the counted one (late penalty under the policy in force: pass assignment as
    it applies to the owner), as on the pages and in grades.csv.
    """
    from grader.grades import counted_score

    graded = submission.status == "graded"
    penalty = submission.late_penalty
    score = submission.score
    if graded and assignment is not None:
        counted = counted_score(assignment, submission)
        score, penalty = counted if counted is not None else (None, 0.0)
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
        "late_penalty": penalty,
        "score": score if graded else None,
        "raw_score": submission.raw_score if graded else None,
        "max_score": submission.max_score if graded else None,
        "error": submission.error_message if submission.status == "error" else None,
        "result": visible_result(submission.result, assignment, viewer, now) if graded else None,
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
