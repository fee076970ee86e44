"""The one place that hears "a counted grade may have changed" and sends it where it goes.

Whatever can change a student's counted grade (grader.grades) calls grades_may_have_changed:
a grading or regrade finishing (workers/tasks.py), a policy saved or reset, an extension
granted or revoked (grader/instructor/policy_pages.py). A new grade rule calls it where its
decision is stored. Today the grade goes to the students' LMS courses (LTI, grader/lti/
passback.py) by a queued task; the caller never waits for an LMS, and a queue that cannot take
the job is logged, never raised: grading and saving go on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.lti.passback import has_targets
from grader.models import Role, Submission, User
from grader.queue import publish_lti_grade

log = logging.getLogger(__name__)


def grades_may_have_changed(session: Session, slug: str,
                            user_ids: Iterable[int] | None = None) -> int:
    """Queue the LMS post of each student's grade on slug (every student when user_ids is None);
    return how many were queued. Call it after the change is committed."""
    if user_ids is None:
        user_ids = session.scalars(select(User.id).where(User.role == Role.STUDENT))
    try:
        waiting = has_targets(session, list(user_ids))
        celery = current_app.extensions["celery"]
        for user_id in waiting:
            publish_lti_grade(celery, user_id, slug)
    except Exception:  # the LMS copy is late, never the grading or the page: log and go on
        log.exception("Could not queue the LMS grade posts of %s", slug)
        return 0
    return len(waiting)


def grading_stored(session: Session, submission_id: int, slug: str) -> int:
    """The hook for a grading (or regrade) just stored: its owner's grade may have changed."""
    try:
        owner = session.scalar(select(Submission.user_id).where(Submission.id == submission_id))
    except Exception:  # as above: never the grading's problem
        log.exception("Could not find the owner of submission %s", submission_id)
        return 0
    return grades_may_have_changed(session, slug, [owner]) if owner is not None else 0
