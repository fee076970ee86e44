"""Grades to the LMS (AGS): a student's counted grade posted to the assignment's line item.

The grade is grader.grades.grade_of's, the one every page, API document and grades.csv show:
nothing is recomputed here. A post is recorded on lti_grade_posts (last value accepted, when,
what the LMS answered); the same value is not posted twice. The line item of an assignment in an
LMS course is created once and remembered (lti_line_items). Network errors, timeouts and 5xx
or 429 answers raise LmsUnavailable, for the worker's task to retry later with backoff.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.contrib.flask import FlaskServiceConnector
from pylti1p3.exception import LtiServiceException
from pylti1p3.grade import Grade as LtiGrade
from pylti1p3.lineitem import LineItem
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grader.course import assignment_in_force
from grader.grades import grade_of
from grader.lti.http import lms_session
from grader.lti.registrations import to_registration
from grader.models import (
    LtiContext,
    LtiEnrolment,
    LtiGradePost,
    LtiIdentity,
    LtiLineItem,
    User,
    utcnow,
)

log = logging.getLogger(__name__)
ANSWER_CHARS = 500  # how much of an LMS's answer is kept for the instructor to read


class LmsUnavailable(Exception):
    """The LMS could not take the grade now (network, timeout, 5xx, 429): try again later."""


@dataclass(frozen=True)
class Target:
    """Where one student's grade on one assignment goes: an LMS course they are in."""

    context: LtiContext
    identity: LtiIdentity


def targets(session: Session, user_id: int) -> list[Target]:
    """The LMS courses with a grade service that user_id is an active member of."""
    rows = session.execute(
        select(LtiContext, LtiIdentity)
        .join(LtiEnrolment, LtiEnrolment.context_id == LtiContext.id)
        .join(LtiIdentity, (LtiIdentity.user_id == LtiEnrolment.user_id)
              & (LtiIdentity.platform_id == LtiContext.platform_id))
        .where(LtiEnrolment.user_id == user_id, LtiEnrolment.active.is_(True),
               LtiContext.lineitems_url.is_not(None))
        .order_by(LtiContext.id)
    ).all()
    return [Target(context, identity) for context, identity in rows]


def has_targets(session: Session, user_ids: list[int]) -> list[int]:
    """Those of user_ids whose grades go to some LMS."""
    if not user_ids:
        return []
    return sorted(set(session.scalars(
        select(LtiEnrolment.user_id)
        .join(LtiContext, LtiContext.id == LtiEnrolment.context_id)
        .where(LtiEnrolment.user_id.in_(user_ids), LtiEnrolment.active.is_(True),
               LtiContext.lineitems_url.is_not(None)))))


def grade_service(session: Session, context: LtiContext) -> AssignmentsGradesService:
    """The LMS course's grade service; its access tokens are kept per process until they
    expire (pylti1p3's FlaskServiceConnector), not fetched for every post."""
    connector = FlaskServiceConnector(to_registration(session, context.platform), lms_session())
    return AssignmentsGradesService(connector, {"scope": context.ags_scopes,
                                                "lineitems": context.lineitems_url})


def describe(response: requests.Response) -> str:
    return f"HTTP {response.status_code}: {response.text[:ANSWER_CHARS]}"


def call_lms(action):
    """Run action (an AGS call); network trouble and 5xx/429 become LmsUnavailable."""
    try:
        return action()
    except (requests.ConnectionError, requests.Timeout) as error:
        reason = f"no answer: {type(error).__name__}: {error}"
        raise LmsUnavailable(reason[:ANSWER_CHARS]) from error
    except LtiServiceException as error:
        status = error.response.status_code
        if status >= 500 or status == 429:
            raise LmsUnavailable(describe(error.response)) from error
        raise


def line_item(session: Session, context: LtiContext, slug: str, title: str,
              max_score: float) -> LtiLineItem:
    """The assignment's line item in context: the one remembered, else the LMS's own with our
    resource id (made elsewhere, or by a deep link), else a new one; remembered once."""
    item = session.scalar(select(LtiLineItem).where(LtiLineItem.context_id == context.id,
                                                    LtiLineItem.assignment_slug == slug))
    if item is not None:
        return item
    wanted = (LineItem().set_label(title).set_score_maximum(max_score)
              .set_resource_id(slug).set_tag(slug))
    service = grade_service(session, context)
    found = call_lms(lambda: service.find_or_create_lineitem(wanted, find_by="resource_id"))
    item = LtiLineItem(context_id=context.id, assignment_slug=slug, url=found.get_id())
    session.add(item)
    try:
        session.commit()
    except IntegrityError:  # another worker remembered it first: use theirs
        session.rollback()
        return line_item(session, context, slug, title, max_score)
    return item


def remember_line_item(session: Session, context: LtiContext, slug: str, url: str) -> None:
    """Keep the line item a launch names for the assignment, unless one is known (the caller
    commits)."""
    known = session.scalar(select(LtiLineItem).where(LtiLineItem.context_id == context.id,
                                                     LtiLineItem.assignment_slug == slug))
    if known is None:
        session.add(LtiLineItem(context=context, assignment_slug=slug, url=url))


def post_record(session: Session, item: LtiLineItem, user: User) -> LtiGradePost:
    record = session.scalar(select(LtiGradePost).where(LtiGradePost.line_item_id == item.id,
                                                       LtiGradePost.user_id == user.id))
    if record is None:
        record = LtiGradePost(line_item_id=item.id, user_id=user.id, status="pending", attempts=0)
        session.add(record)
        session.commit()
    return record


def post_grade(session: Session, user_id: int, slug: str) -> list[str]:
    """Post user's counted grade on slug to each of their LMS courses; return what happened
    in each ("posted", "unchanged", "no grade"). Raises LmsUnavailable for a retry (what
    was posted elsewhere stays posted and is skipped next time)."""
    user = session.get(User, user_id)
    assignment = assignment_in_force(slug)
    if user is None or assignment is None:
        return []
    grade = grade_of(session, assignment, user)
    outcomes = []
    for target in targets(session, user_id):
        if grade.score is None or not grade.max_score:
            outcomes.append("no grade")
            continue
        item = line_item(session, target.context, slug, assignment.title, grade.max_score)
        record = post_record(session, item, user)
        score, maximum = round(grade.score, 4), float(grade.max_score)
        if record.status == "posted" and (record.score, record.max_score) == (score, maximum):
            outcomes.append("unchanged")
            continue
        outcomes.append(send(session, target, item, record, score, maximum))
    return outcomes


def send(session: Session, target: Target, item: LtiLineItem, record: LtiGradePost,
         score: float, maximum: float) -> str:
    """Post one score and record the answer; LmsUnavailable is recorded, then raised."""
    now = utcnow()
    lti_grade = (LtiGrade().set_score_given(score).set_score_maximum(maximum)
                 .set_activity_progress("Completed").set_grading_progress("FullyGraded")
                 .set_timestamp(now.isoformat()).set_user_id(target.identity.subject))
    service = grade_service(session, target.context)
    record.attempts += 1
    record.attempted_at = now
    try:
        answer = call_lms(lambda: service.put_grade(lti_grade, LineItem({"id": item.url})))
    except LmsUnavailable as error:
        record.status, record.lms_answer = "retrying", str(error)
        session.commit()
        raise
    except LtiServiceException as error:  # 4xx: the LMS refuses it; a retry would not help
        record.status, record.lms_answer = "failed", describe(error.response)
        session.commit()
        log.warning("The LMS refused a grade: %s", record.lms_answer)
        return "refused"
    record.status, record.score, record.max_score, record.posted_at = (
        "posted", score, maximum, now)
    record.lms_answer = f"accepted: {str(answer.get('body'))[:ANSWER_CHARS]}"
    session.commit()
    return "posted"


def give_up(session: Session, user_id: int, slug: str, reason: str) -> None:
    """Mark the student's waiting posts on slug as failed after the last retry."""
    for record in session.scalars(
        select(LtiGradePost).join(LtiLineItem)
        .where(LtiGradePost.user_id == user_id, LtiLineItem.assignment_slug == slug,
               LtiGradePost.status == "retrying")):
        record.status, record.lms_answer = "failed", f"gave up: {reason}"[:ANSWER_CHARS]
    session.commit()
