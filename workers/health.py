"""Health checks of the Celery processes, for container orchestrators: exit 0 when healthy.

`python -m workers.health worker`: this host's worker node answers on the broker and consumes
the grading queue, so it takes the next job (a busy pool still answers: the consumer, not a
pool process, replies). `python -m workers.health beat SCHEDULE`: beat, run with
`--scheduler workers.beat:HeartbeatScheduler --schedule SCHEDULE`, ticked within the last few
sweep periods, so it is still sending the sweep.
"""

from __future__ import annotations

import os
import socket
import sys
import time

REPLY_SECONDS = 5.0


def worker_problem() -> str | None:
    """Why the worker on this host cannot take a job, or None."""
    from celery import Celery

    # The broker and queue as grader/config.py reads them, without building the whole app:
    # a check must stay light on a machine busy grading.
    broker = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL")
    if not broker:
        return "no broker configured (REDIS_URL)"
    queue = os.environ.get("CELERY_QUEUE", "grading")
    node = f"celery@{socket.gethostname()}"
    control = Celery(broker=broker).control
    replies = control.inspect([node], timeout=REPLY_SECONDS).active_queues() or {}
    if node not in replies:
        return f"{node} did not answer within {REPLY_SECONDS:.0f} s"
    consumed = {entry["name"] for entry in replies[node]}
    if queue not in consumed:
        return f"{node} does not consume {queue!r} (it consumes {sorted(consumed)})"
    return None


def beat_problem(schedule: str) -> str | None:
    """Why beat with this schedule file is not sending the sweep, or None."""
    from workers.beat import heartbeat_path

    # beat ticks at least once per sweep period (SWEEP_SECONDS, as grader/config.py reads it)
    stale = 3 * float(os.environ.get("SWEEP_SECONDS") or 10)
    try:
        age = time.time() - heartbeat_path(schedule).stat().st_mtime
    except FileNotFoundError:
        return f"no heartbeat beside {schedule}"
    return f"beat last ticked {age:.0f} s ago" if age > stale else None


def main(argv: list[str]) -> int:
    """Check the role named on the command line; print the problem and exit 1 if any."""
    if argv[:1] == ["worker"] and len(argv) == 1:
        problem = worker_problem()
    elif argv[:1] == ["beat"] and len(argv) == 2:
        problem = beat_problem(argv[1])
    else:
        print("usage: python -m workers.health worker | beat SCHEDULE_FILE", file=sys.stderr)
        return 2
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
