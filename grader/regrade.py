"""Regrade submissions through the grading queue as one tracked batch.

Each regrade is a RegradeBatch row naming its submissions, so the dashboard can show its
progress and grader.grades can hold a student's grade steady until the batch has regraded
all of their work; every run adds a `gradings` row, so earlier results stay beside the new
ones.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from grader import audit, submissions
from grader.models import RegradeBatch, Submission, User, utcnow


def start_regrade(session: Session, actor: User | None, slug: str, rows: list[Submission],
                  scope: str) -> RegradeBatch:
    """Queue rows for grading again (those not already waiting or running); record the batch.

    The rows change state and the batch is stored in one transaction, before any job is
    published: no grading of the batch can finish before the batch (and its start) is known.
    """
    queued = submissions.mark_for_regrade(session, [row.id for row in rows])
    started = utcnow()  # after the rows' last runs ended, before any new run can
    batch = RegradeBatch(assignment_slug=slug, scope=scope, submission_ids=queued,
                         started_by=actor, started_at=started)
    session.add(batch)
    audit.record(session, actor, "regrade.start", slug, scope=scope, submissions=len(queued),
                 skipped=len(rows) - len(queued))
    session.commit()
    for submission_id in queued:
        submissions.enqueue(session, submission_id)
    return batch
