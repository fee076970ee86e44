"""The policy in force: the manifest's [policy], an instructor's overrides, a student's extension
and standing accommodation.

Overrides live in `assignment_policies` (one row per assignment, empty columns keep the
manifest's value); extensions in `extensions`; accommodations in `accommodations` (one per
student, for every assignment, present and future). All apply by replacing fields of the
frozen Assignment, so every rule in grader.course works on the result unchanged.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.models import Accommodation, AssignmentPolicy, Extension, User

if TYPE_CHECKING:
    from grader.grading.assignments import Assignment


def replace(assignment: Assignment, **changes) -> Assignment:
    """Return a copy of assignment with those of changes it has a field for."""
    names = {f.name for f in dataclasses.fields(assignment)}
    return dataclasses.replace(assignment, **{k: v for k, v in changes.items() if k in names})


def in_force(session: Session, catalog: dict[str, Assignment]) -> dict[str, Assignment]:
    """Apply every stored override to the manifest catalog."""
    rows = session.scalars(select(AssignmentPolicy)).all()
    result = dict(catalog)
    for row in rows:
        if row.assignment_slug in result:
            result[row.assignment_slug] = replace(result[row.assignment_slug], **row.overrides())
    return result


def extension_for(session: Session, user: User, slug: str) -> Extension | None:
    """Return user's extension on the assignment called slug, if any."""
    return session.scalar(
        select(Extension).where(Extension.user_id == user.id, Extension.assignment_slug == slug)
    )


def with_extension(assignment: Assignment, extension: Extension | None,
                   accommodation: Accommodation | None = None) -> Assignment:
    """Apply a student's accommodation, then their extension, to the assignment.

    An accommodation moves the due date and the hard close by its extra days and adds its
    extra submissions to a daily limit (no limit stays none). An extension sets the due date,
    unless the accommodation's is later; a hard close before the new due date moves with it.
    """
    due = extension.due if extension is not None else None
    if accommodation is not None:
        assignment = accommodated(assignment, accommodation)
        if due is not None and assignment.due is not None:
            due = max(due, assignment.due)
    if due is None:
        return assignment
    close = assignment.hard_close
    if close is not None and close < due:
        close = due
    return replace(assignment, due=due, hard_close=close)


def accommodated(assignment: Assignment, accommodation: Accommodation) -> Assignment:
    """The assignment with the accommodation's extra days and extra daily submissions."""
    extra = timedelta(days=accommodation.extra_days)
    limit = getattr(assignment, "max_submissions_per_day", None)
    return replace(
        assignment,
        due=assignment.due + extra if assignment.due else None,
        hard_close=assignment.hard_close + extra if assignment.hard_close else None,
        max_submissions_per_day=limit + accommodation.extra_submissions_per_day if limit else limit,
    )


def accommodation_for(session: Session, user: User) -> Accommodation | None:
    """Return user's standing accommodation, if any."""
    return session.scalar(select(Accommodation).where(Accommodation.user_id == user.id))


def for_student(session: Session, assignment: Assignment, user: User) -> Assignment:
    """Return the assignment as it applies to user (their accommodation and extension included)."""
    return with_extension(assignment, extension_for(session, user, assignment.slug),
                          accommodation_for(session, user))


def score_policy(assignment: Assignment) -> str:
    """Return which submission counts: "best" or "last"."""
    return getattr(assignment, "score_policy", "best") or "best"
