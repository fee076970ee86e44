"""Celery tasks: grade one submission by id; sweep up what waited too long."""

from __future__ import annotations

import logging
import traceback
from datetime import timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from flask import current_app
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)

from grader.db import get_session, session_factory
from grader.grade_changes import grading_stored
from grader.queue import GRADE_TASK, LTI_GRADE_TASK, SWEEP_TASK
from workers import lifecycle, sweeper

log = logging.getLogger(__name__)

GRADER_FAULT = ("The grader failed on this submission, not your code. Staff have been told; "
                "you do not need to resubmit.")


def backoff(failures: int) -> int:
    """Return the seconds to wait before retrying after this many failures: 10, 30, 90 .. 300."""
    return min(300, 10 * 3 ** max(0, failures - 1))


def can_succeed_on_retry(error: BaseException) -> bool:
    """Tell whether a failure came from the surroundings (a connection, the machine).

    Those may pass on a second try; any other exception is the grader's own bug, and
    replaying it would only delay the verdict. A student's timeout, crash or memory blow-up
    never gets here: the pipeline turns those into results.
    """
    from grader.grading.pipeline import SystemGradingError

    if isinstance(error, SoftTimeLimitExceeded):
        return False  # the grading outlived its budget by minutes: it would again
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OperationalError | InterfaceError | DisconnectionError
                      | SystemGradingError | ConnectionError | TimeoutError | OSError)


def describe_failure(error: BaseException) -> str:
    """The exception first, then the end of its traceback, for the grading row staff read."""
    summary = "".join(traceback.format_exception_only(error)).strip().splitlines()[0]
    return f"{summary[:500]}\n\n{''.join(traceback.format_exception(error))[-1500:]}"


def run_grader(claim: lifecycle.Claim, progress, on_public_result) -> dict:
    """Grade the claimed source within the configured budget; grading loads only in workers."""
    from grader.grading.budget import Budget
    from grader.grading.pipeline import grade_submission

    config = current_app.config
    budget = Budget(wall_seconds=config["GRADE_BUDGET_SECONDS"],
                    cpu_seconds=config["GRADE_BUDGET_CPU_SECONDS"])
    return grade_submission(claim.assignment_slug, claim.source, progress=progress,
                            budget=budget, on_public_result=on_public_result)


def partial_writer(session, claim: lifecycle.Claim):
    """Store the public tests' verdict as it arrives; a failed write only loses the preview."""
    def store(partial: dict) -> None:
        try:
            lifecycle.store_partial(session, claim, partial)
        except SQLAlchemyError:
            session.rollback()  # the final result is written (or retried) as usual
            log.warning("Cannot show the public tests of submission %s early",
                        claim.submission_id, exc_info=True)
    return store


@shared_task(bind=True, name=GRADE_TASK, max_retries=None)
def grade(self, submission_id: int) -> str:
    """Grade submission_id once, however often this task is delivered; return what happened."""
    config = current_app.config
    session = get_session()
    max_retries = config["GRADE_MAX_RETRIES"]
    try:
        claim = lifecycle.claim(
            session,
            submission_id,
            stale_after=timedelta(seconds=config["HEARTBEAT_STALE_SECONDS"]),
            max_failures=max_retries + 1,
        )
    except OperationalError as error:  # the database is unreachable: try again shortly
        log.warning("Cannot claim submission %s: %s", submission_id, error)
        raise self.retry(countdown=10, exc=error) from error
    if claim is None:
        return "skipped"  # done already, held by a live run, or gone

    heartbeat = lifecycle.Heartbeat(session_factory(), claim.token, config["HEARTBEAT_SECONDS"])
    heartbeat.start()
    try:
        result = run_grader(claim, heartbeat.report, partial_writer(session, claim))
        won = lifecycle.finish(session, claim, result)
    except Exception as error:
        session.rollback()  # a failed statement leaves the transaction unusable
        return record_failure(self, session, claim, error, max_retries)
    finally:
        heartbeat.stop()
    if won:
        grading_stored(session, submission_id, claim.assignment_slug)
    return "graded" if won else "superseded"


def record_failure(task, session, claim: lifecycle.Claim, error: Exception,
                   max_retries: int) -> str:
    """Write what failed on the grading row at once, free the claim, and retry if it may help."""
    from grader.grading.assignments import UnknownAssignment

    if isinstance(error, UnknownAssignment):
        message = f"The assignment {claim.assignment_slug!r} no longer exists."
        lifecycle.fail(session, claim, message, final=True)
        return "error"
    log.exception("Grading submission %s failed", claim.submission_id)
    details = describe_failure(error)
    failures = lifecycle.failures_in_a_row(session, claim.submission_id) + 1
    if not can_succeed_on_retry(error) or failures > max_retries:
        lifecycle.fail(session, claim, details, final=True, student_message=GRADER_FAULT)
        return "error"
    lifecycle.fail(session, claim, details, final=False)
    raise task.retry(countdown=backoff(failures), exc=error) from error


@shared_task(name=SWEEP_TASK)
def sweep() -> dict[str, list[int]]:
    """Queue submissions that waited too long and take back those a dead worker held."""
    return sweeper.sweep(get_session(), current_app.config)


def lti_backoff(retries: int, base: int) -> int:
    """Seconds before the next try of an LMS post: base, 3 base, 9 base ... at most an hour."""
    return min(3600, base * 3 ** retries)


@shared_task(bind=True, name=LTI_GRADE_TASK, max_retries=None)
def post_lti_grade(self, user_id: int, slug: str) -> list[str]:
    """Post a student's counted grade on slug to their LMS courses; retried while the LMS is
    down. Idempotent: a value the LMS already has is not sent again."""
    from grader.lti.passback import LmsUnavailable, give_up, post_grade

    config = current_app.config
    session = get_session()
    try:
        return post_grade(session, user_id, slug)
    except (LmsUnavailable, SoftTimeLimitExceeded) as error:
        session.rollback()
        if self.request.retries >= config["LTI_MAX_RETRIES"]:
            give_up(session, user_id, slug, str(error))
            return ["failed"]
        log.warning("LMS unavailable for the grade of user %s on %s: %s", user_id, slug, error)
        raise self.retry(countdown=lti_backoff(self.request.retries,
                                               config["LTI_RETRY_SECONDS"])) from error
