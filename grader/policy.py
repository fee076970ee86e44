"""The policy in force: the manifest's [policy], an instructor's overrides, a student's extension.

Overrides live in `assignment_policies` (one row per assignment, empty columns keep the
manifest's value); extensions in `extensions`. Both apply by replacing fields of the frozen
Assignment, so every rule in grader.course works on the result unchanged.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.models import AssignmentPolicy, Extension, User

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


def with_extension(assignment: Assignment, extension: Extension | None) -> Assignment:
    """Move the due date to the extension's; a hard close before it moves with it."""
    if extension is None:
        return assignment
    close = assignment.hard_close
    if close is not None and close < extension.due:
        close = extension.due
    return replace(assignment, due=extension.due, hard_close=close)


def for_student(session: Session, assignment: Assignment, user: User) -> Assignment:
    """Return the assignment as it applies to user (their extension included)."""
    return with_extension(assignment, extension_for(session, user, assignment.slug))


def score_policy(assignment: Assignment) -> str:
    """Return which submission counts: "best" or "last"."""
    return getattr(assignment, "score_policy", "best") or "best"
