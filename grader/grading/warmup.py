"""Warm a grading worker before it forks: calibrate every assignment on its reference solution.

The first grading of an assignment in a process builds its case graphs and reference
answers (about 6-10 s for `autodiff`) and times the reference on every case (the time
limits derive from it); done once in the worker's parent process, every pool child
inherits them. It doubles as a self-test of the deployment: a reference solution that
does not pass every case means the sandbox or an assignment is broken.
"""

from __future__ import annotations

import logging
import time

from grader.grading.assignments import load_assignments

from .pipeline import calibrate

log = logging.getLogger(__name__)


def warm_up() -> dict[str, bool]:
    """Calibrate each assignment on its reference solution; True where it passed every case."""
    healthy = {}
    for slug, assignment in load_assignments().items():
        started = time.perf_counter()
        runs, seconds = calibrate(slug)
        healthy[slug] = len(seconds) == len(assignment.cases())
        elapsed = time.perf_counter() - started
        if healthy[slug]:
            log.info("warm-up: %s calibrated in %.1f s (%s)", slug, elapsed, runs.isolation)
        else:
            log.error("warm-up: the reference solution of %s failed %d of %d cases: the "
                      "sandbox or the assignment is broken", slug,
                      len(assignment.cases()) - len(seconds), len(assignment.cases()))
    return healthy
