"""The sweep: queue what never reached the broker, what the broker lost or what waited too long;
free what dead runs held."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from grader.models import Status, Submission, utcnow
from grader.submissions import enqueue
from workers import lifecycle
from workers.broker_watch import broker_lost_messages

log = logging.getLogger(__name__)
BATCH = 500  # per sweep: a long outage drains over a few sweeps instead of one huge one


def sweep(session: Session, config) -> dict[str, list[int]]:
    """Run one sweep; return the ids released from dead runs and the ids queued."""
    now = utcnow()
    stale = now - timedelta(seconds=config["HEARTBEAT_STALE_SECONDS"])
    dead = session.execute(
        select(Submission.id, Submission.claim_token)
        .where(Submission.status == Status.RUNNING, Submission.heartbeat_at < stale)
        .limit(BATCH)
    ).all()
    released = [sid for sid, token in dead if lifecycle.release_lost(session, sid, token)]

    never_queued = now - timedelta(seconds=config["UNQUEUED_STALE_SECONDS"])
    long_queued = now - timedelta(seconds=config["QUEUED_STALE_SECONDS"])
    waiting = session.scalars(
        select(Submission.id)
        .where(
            Submission.status == Status.QUEUED,
            or_(
                and_(Submission.queued_at.is_(None), Submission.submitted_at < never_queued),
                Submission.queued_at < long_queued,
            ),
        )
        .order_by(Submission.id)
        .limit(BATCH)
    ).all()
    if broker_lost_messages(config["CELERY_BROKER_URL"], config["CELERY_QUEUE"]):
        lost = session.scalars(
            select(Submission.id)
            .where(Submission.status == Status.QUEUED, Submission.queued_at.is_not(None))
            .order_by(Submission.id)
            .limit(BATCH)
        ).all()
        if lost:
            log.warning("The broker lost its messages; queueing %d submissions again", len(lost))
        waiting = list(dict.fromkeys([*waiting, *lost]))
    candidates = released + [sid for sid in waiting if sid not in released]
    queued = [sid for sid in candidates if enqueue(session, sid)]
    if released or queued:
        # Worth a warning: it means a worker died or the broker was unreachable.
        log.warning("Sweep released %s from dead runs and queued %s", released, queued)
    return {"released": released, "queued": queued}
