"""Celery tasks: grade one submission by id; sweep up what waited too long."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from flask import current_app
from sqlalchemy.exc import OperationalError

from grader.db import get_session, session_factory
from workers import lifecycle, sweeper

log = logging.getLogger(__name__)


def backoff(failures: int) -> int:
    """Return the seconds to wait before retrying after this many failures: 10, 30, 90 .. 300."""
    return min(300, 10 * 3 ** max(0, failures - 1))


def run_grader(claim: lifecycle.Claim, progress) -> dict:
    """Grade the claimed source; the grading package loads only in workers."""
    from grader.grading import grade_submission

    return grade_submission(claim.assignment_slug, claim.source, progress=progress)


@shared_task(bind=True, name="workers.tasks.grade", max_retries=None)
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
        result = run_grader(claim, heartbeat.report)
    except Exception as error:
        from grader.assignments import UnknownAssignment

        if isinstance(error, UnknownAssignment):
            message = f"The assignment {claim.assignment_slug!r} no longer exists."
            lifecycle.fail(session, claim, message, final=True)
            return "error"
        # The student's own crashes and timeouts come back as results; this is the system's.
        log.exception("Grading submission %s failed", submission_id)
        failures = lifecycle.failures_in_a_row(session, submission_id) + 1
        if failures > max_retries:
            message = "The grader failed on this submission. Staff have been told."
            lifecycle.fail(session, claim, f"{message} ({type(error).__name__})", final=True)
            return "error"
        lifecycle.fail(session, claim, f"{type(error).__name__}: {error}"[:2000], final=False)
        raise self.retry(countdown=backoff(failures), exc=error) from error
    finally:
        heartbeat.stop()
    return "graded" if lifecycle.finish(session, claim, result) else "superseded"


@shared_task(name="workers.tasks.sweep")
def sweep() -> dict[str, list[int]]:
    """Queue submissions that waited too long and take back those a dead worker held."""
    return sweeper.sweep(get_session(), current_app.config)
