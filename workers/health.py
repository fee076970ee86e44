"""Health checks of the Celery processes, for container orchestrators: exit 0 when healthy.

`python -m workers.health worker`: this host's worker node answers on the broker and consumes
the grading queue, so it takes the next job (a busy pool still answers: the consumer, not a
pool process, replies). `python -m workers.health beat`: beat wrote its schedule within the
last few sweep periods, so it is still sending the sweep.
"""

from __future__ import annotations

import glob
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


def beat_problem() -> str | None:
    """Why beat is not sending the sweep, or None."""
    instance = os.environ.get("GRADER_INSTANCE_PATH", "instance")
    stale = 3 * float(os.environ.get("SWEEP_SECONDS") or 10) + 10
    written = [os.stat(path).st_mtime for path in glob.glob(f"{instance}/celerybeat-schedule*")]
    if not written:
        return f"no schedule in {instance}"
    age = time.time() - max(written)
    return f"the schedule was last written {age:.0f} s ago" if age > stale else None


def main(argv: list[str]) -> int:
    """Check the role named on the command line; print the problem and exit 1 if any."""
    checks = {"worker": worker_problem, "beat": beat_problem}
    if len(argv) != 1 or argv[0] not in checks:
        print(f"usage: python -m workers.health {{{','.join(checks)}}}", file=sys.stderr)
        return 2
    problem = checks[argv[0]]()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
