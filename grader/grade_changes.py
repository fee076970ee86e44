"""The one place that hears "a counted grade may have changed" and sends it where it goes.

Whatever can change a student's counted grade (grader.grades) calls grades_may_have_changed:
a grading or regrade finishing (workers/tasks.py), a policy saved or reset, an extension
granted or revoked (grader/instructor/policy_pages.py), points set in answer to a regrade
request, a partner confirmed. A rule that spans assignments (the late-day bank, a grant of
late days, a standing accommodation) calls course_grades_may_have_changed: a day spent on
one assignment can move to another. A new grade rule calls one of them where its decision is
stored. Posting a grade the LMS already has sends nothing, so a hook may over-approximate.
Today the grade goes to the students' LMS courses (LTI, grader/lti/passback.py) by a queued
task; the caller never waits for an LMS, and a queue that cannot take
the job is logged, never raised: grading and saving go on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.course import assignments_in_force
from grader.groups import confirmed_groups
from grader.lti.passback import has_targets
from grader.models import GroupMember, LateDayAllowance, Role, Submission, User
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


def course_grades_may_have_changed(session: Session,
                                   user_ids: Iterable[int] | None = None) -> int:
    """grades_may_have_changed on every assignment in force (of every student when user_ids
    is None): for a rule that spans assignments."""
    user_ids = None if user_ids is None else list(user_ids)
    return sum(grades_may_have_changed(session, slug, user_ids)
               for slug in assignments_in_force())


def grading_stored(session: Session, submission_id: int, slug: str) -> int:
    """The hook for a grading (or regrade) just stored: the grades of its owner and of the
    owner's confirmed partners may have changed, on every assignment when late days may move
    from one to another."""
    try:
        owner = session.scalar(select(Submission.user_id).where(Submission.id == submission_id))
        if owner is None:
            return 0
        members = group_members(session, slug, owner)
    except Exception:  # as above: never the grading's problem
        log.exception("Could not find the owner of submission %s", submission_id)
        return 0
    if late_days_in_play(session):
        return course_grades_may_have_changed(session, members)
    return grades_may_have_changed(session, slug, members)


def group_members(session: Session, slug: str, user_id: int) -> list[int]:
    """The student and their confirmed partners on slug."""
    group = confirmed_groups(session, slug, [user_id]).get(user_id)
    if group is None:
        return [user_id]
    return sorted(session.scalars(select(GroupMember.user_id).where(
        GroupMember.group_id == group, GroupMember.confirmed_at.is_not(None))))


def late_days_in_play(session: Session) -> bool:
    """Whether some assignment takes late days (then a grade on one moves days on others)."""
    return session.scalar(select(LateDayAllowance.id).limit(1)) is not None
