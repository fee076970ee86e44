"""A grading's life on the submission row: claim, heartbeat, finish, fail, release.

Every change is a compare-and-set on the row's claim token, so a task delivered twice,
or a worker presumed dead that wakes up, can never grade twice or overwrite a newer result.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from grader.models import Grading, GradingStatus, Status, Submission, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claim:
    """The right, held by one grading run, to write a submission's result."""

    submission_id: int
    token: str
    assignment_slug: str
    source: str
    late_penalty: float


def worker_name() -> str:
    """Name this process so a worker on the same host can tell whether it still runs."""
    return f"{socket.gethostname()}:{os.getpid()}"


def process_alive(pid: int) -> bool:
    """Tell whether a process with this id exists on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def holder_alive(submission: Submission, stale_after: timedelta) -> bool:
    """Tell whether the run holding the claim still lives.

    A heartbeat older than stale_after means dead. On the same host the process table
    answers sooner: a killed pool child's job is redelivered at once and taken over at once.
    The pool is prefork (or solo), so a process runs one job at a time and a claim held by
    our own pid is a dead run's.
    """
    host, _, pid = (submission.claimed_by or "").rpartition(":")
    local = host == socket.gethostname() and pid.isdigit()
    if local and (int(pid) == os.getpid() or not process_alive(int(pid))):
        return False
    beat = submission.heartbeat_at
    return beat is not None and utcnow() - beat < stale_after


def failures_in_a_row(session: Session, submission_id: int) -> int:
    """Count the failed or lost runs since the submission's last successful grading."""
    statuses = session.scalars(
        select(Grading.status)
        .where(Grading.submission_id == submission_id)
        .order_by(Grading.id.desc())
    )
    count = 0
    for status in statuses:
        if status == GradingStatus.RUNNING:
            continue  # the run asking, still under way
        if status not in (GradingStatus.FAILED, GradingStatus.LOST):
            break
        count += 1
    return count


def claim_matches(token: str | None):
    """SQL condition: the row's claim token is token (None included)."""
    return Submission.claim_token.is_(None) if token is None else Submission.claim_token == token


def running_under(submission_id: int, token: str) -> tuple:
    """SQL conditions: the submission is still being graded by the run holding token."""
    return (Submission.id == submission_id, Submission.status == Status.RUNNING,
            Submission.claim_token == token)


def claim(
    session: Session, submission_id: int, stale_after: timedelta, max_failures: int
) -> Claim | None:
    """Take the submission for grading; None when it is done, held by a live run, or gone."""
    submission = session.get(Submission, submission_id)
    if submission is None or submission.is_final:
        return None
    if submission.status == Status.RUNNING and holder_alive(submission, stale_after):
        return None
    previous = submission.claim_token
    if previous is not None:
        mark_grading(session, previous, GradingStatus.LOST, "The worker running it died.")
    if failures_in_a_row(session, submission_id) >= max_failures:
        give_up(session, submission, previous)
        return None

    token, now = str(uuid.uuid4()), utcnow()
    attempt, reason = submission.attempts + 1, grading_reason(session, submission)
    taken = session.execute(
        update(Submission)
        .where(
            Submission.id == submission_id,
            Submission.status == submission.status,
            claim_matches(previous),
        )
        .values(
            status=Status.RUNNING,
            claim_token=token,
            claimed_by=worker_name(),
            heartbeat_at=now,
            started_at=now,
            finished_at=None,
            progress="Starting",
            partial_result=None,
            attempts=Submission.attempts + 1,
        )
    ).rowcount
    if taken != 1:  # another run changed the row since we read it: it is theirs
        session.rollback()
        return None
    session.add(
        Grading(
            submission_id=submission_id,
            attempt=attempt,
            token=token,
            reason=reason,
            worker=worker_name(),
            started_at=now,
        )
    )
    session.commit()
    return Claim(
        submission_id=submission_id,
        token=token,
        assignment_slug=submission.assignment_slug,
        source=submission.source,
        late_penalty=submission.late_penalty,
    )


def grading_reason(session: Session, submission: Submission) -> str:
    """Say why this run happens: the first grading, a regrade, or a retry after failures."""
    graded_before = session.scalar(
        select(Grading.id).where(
            Grading.submission_id == submission.id, Grading.status == GradingStatus.GRADED
        )
    )
    if graded_before is not None:
        return "regrade"
    return "retry" if submission.attempts else "submitted"


def mark_grading(session: Session, token: str, status: GradingStatus, message: str | None) -> None:
    """Close the still-running grading run named by token."""
    session.execute(
        update(Grading)
        .where(Grading.token == token, Grading.status == GradingStatus.RUNNING)
        .values(status=status, finished_at=utcnow(), error_message=message)
    )


def give_up(session: Session, submission: Submission, previous: str | None) -> None:
    """Mark a submission whose grading keeps failing as an error, for staff to look at."""
    session.execute(
        update(Submission)
        .where(Submission.id == submission.id, claim_matches(previous))
        .values(
            status=Status.ERROR,
            error_message="Grading failed repeatedly for reasons outside your code. "
            "Staff have been told; you do not need to resubmit.",
            finished_at=utcnow(),
            claim_token=None,
            claimed_by=None,
            progress=None,
            partial_result=None,
        )
    )
    session.commit()
    log.error("Submission %s failed grading too often; marked as error", submission.id)


def finish(session: Session, claim: Claim, result: dict[str, Any]) -> bool:
    """Store a result document; False when a newer run took over (its result is kept aside)."""
    now = utcnow()
    raw = float(result.get("score") or 0.0)
    max_score = result.get("max_score")
    won = session.execute(
        update(Submission)
        .where(*running_under(claim.submission_id, claim.token))
        .values(
            status=Status.GRADED,
            result=result,
            raw_score=raw,
            score=raw * (1.0 - claim.late_penalty),
            max_score=float(max_score) if max_score is not None else None,
            error_message=None,
            finished_at=now,
            claim_token=None,
            claimed_by=None,
            heartbeat_at=None,
            progress=None,
            partial_result=None,
        )
    ).rowcount == 1
    session.execute(
        update(Grading)
        .where(Grading.token == claim.token)
        .values(
            status=GradingStatus.GRADED if won else GradingStatus.SUPERSEDED,
            result=result,
            score=raw,
            max_score=float(max_score) if max_score is not None else None,
            finished_at=now,
        )
    )
    session.commit()
    return won


def store_partial(session: Session, claim: Claim, partial: dict[str, Any]) -> bool:
    """Show the public tests' verdict while the rest run; False when the claim was lost.

    It goes in its own column, never in result or the scores: it is not a grade.
    """
    stored = session.execute(
        update(Submission)
        .where(*running_under(claim.submission_id, claim.token))
        .values(partial_result=partial, heartbeat_at=utcnow())
    ).rowcount == 1
    session.commit()
    return stored


def fail(session: Session, claim: Claim, message: str, *, final: bool,
         student_message: str | None = None) -> None:
    """Record a system failure and free the claim: queue the submission again, or mark it error.

    message goes on the grading row, where staff read it; student_message, when given, is
    what the student reads instead.
    """
    mark_grading(session, claim.token, GradingStatus.FAILED, message)
    now = utcnow()
    values: dict[str, Any] = {"claim_token": None, "claimed_by": None, "heartbeat_at": None,
                              "partial_result": None}
    if final:
        values |= {"status": Status.ERROR, "error_message": student_message or message,
                   "finished_at": now, "progress": None}
    else:
        values |= {"status": Status.QUEUED, "queued_at": now,
                   "progress": "Waiting to retry after a grader problem"}
    session.execute(
        update(Submission)
        .where(Submission.id == claim.submission_id, Submission.claim_token == claim.token)
        .values(**values)
    )
    session.commit()


def release_lost(session: Session, submission_id: int, token: str) -> bool:
    """Give back a submission whose run died, so it can be queued again."""
    released = session.execute(
        update(Submission)
        .where(*running_under(submission_id, token))
        .values(
            status=Status.QUEUED,
            claim_token=None,
            claimed_by=None,
            heartbeat_at=None,
            queued_at=None,
            progress="Waiting for another worker",
            partial_result=None,
        )
    ).rowcount == 1
    if released:
        mark_grading(session, token, GradingStatus.LOST, "The worker running it stopped answering.")
    session.commit()
    return released


def beat(session: Session, token: str, progress: str | None) -> bool:
    """Prove the run named by token is alive; False when it no longer holds the claim."""
    values: dict[str, Any] = {"heartbeat_at": utcnow()}
    if progress is not None:
        values["progress"] = progress[:255]
    alive = session.execute(
        update(Submission).where(Submission.claim_token == token).values(**values)
    ).rowcount == 1
    session.commit()
    return alive


class Heartbeat(threading.Thread):
    """Beat for a running grading every few seconds, and pass on its progress messages."""

    def __init__(self, sessions: sessionmaker[Session], token: str, interval: float):
        super().__init__(daemon=True, name=f"heartbeat-{token[:8]}")
        self.sessions = sessions
        self.token = token
        self.interval = interval
        self.progress: str | None = None
        self._changed = threading.Event()
        self._stopping = threading.Event()

    def report(self, message: str) -> None:
        """Take a progress message from the grader (written within a moment)."""
        self.progress = str(message)
        self._changed.set()

    def run(self) -> None:
        while not self._stopping.is_set():
            self._changed.wait(self.interval)
            self._changed.clear()
            if self._stopping.is_set():
                break
            try:
                with self.sessions() as session:
                    beat(session, self.token, self.progress)
            except Exception:  # a missed beat is harmless; a dead thread would not be
                log.warning("Heartbeat for %s failed", self.token, exc_info=True)
            self._stopping.wait(0.25)  # at most four writes a second however chatty the grader

    def stop(self) -> None:
        """Stop beating and wait for the thread."""
        self._stopping.set()
        self._changed.set()
        self.join(timeout=5)
