"""Regrade submissions through the grading queue as one tracked batch.

Each regrade is a RegradeBatch row naming its submissions, so the dashboard can show its
progress; every run adds a `gradings` row, so earlier results stay beside the new ones.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from grader import audit, submissions
from grader.models import RegradeBatch, Submission, User


def start_regrade(session: Session, actor: User | None, slug: str, rows: list[Submission],
                  scope: str) -> RegradeBatch:
    """Queue rows for grading again (those not already waiting or running); record the batch."""
    queued = [row.id for row in rows if submissions.regrade(session, row)]
    batch = RegradeBatch(assignment_slug=slug, scope=scope, submission_ids=queued,
                         started_by=actor)
    session.add(batch)
    audit.record(session, actor, "regrade.start", slug, scope=scope, submissions=len(queued),
                 skipped=len(rows) - len(queued))
    session.commit()
    return batch
