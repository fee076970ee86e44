"""Warm a grading worker before it forks: grade every assignment's reference solution once.

The first grading of an assignment in a process times the reference on every case (the
time limits derive from it: the calibration), builds the case graphs and computes the
reference answers the judges compare with (about 9-13 s for `autodiff`, 4 s for
`backprop`); done once in the worker's parent process, every pool child inherits them.
Judging the calibration's own run does the second part without another sandbox run. It
doubles as a self-test of the deployment: a reference solution that does not pass every
case means the sandbox or an assignment is broken.
"""

from __future__ import annotations

import gc
import logging
import time

from grader.grading.assignments import load_assignments

from .pipeline import calibrate, judge_case

log = logging.getLogger(__name__)


def warm_up() -> dict[str, bool]:
    """Calibrate each assignment on its reference solution; True where it passed every case."""
    healthy = {}
    for slug, assignment in load_assignments().items():
        started = time.perf_counter()
        runs, _ = calibrate(slug)
        cases = assignment.cases()
        failed = [case.name for position, case in enumerate(cases)
                  if not judge_case(slug, case, runs.import_record,
                                     runs.records.get(position)).passed]
        healthy[slug] = not failed
        elapsed = time.perf_counter() - started
        if healthy[slug]:
            log.info("warm-up: %s calibrated and judged in %.1f s (%s)", slug, elapsed,
                     runs.isolation)
        else:
            log.error("warm-up: the reference solution of %s failed %d of %d cases (%s): the "
                      "sandbox or the assignment is broken", slug, len(failed), len(cases),
                      ", ".join(failed))
    keep_for_life()
    return healthy


def keep_for_life() -> None:
    """Take what the process holds now (the app, the catalogue, the case graphs, the reference
    answers) out of the garbage collector's sight: it lives as long as the worker, yet every
    full collection would walk it again, during the judges' rebuilding of large graphs
    (about a fifth of their CPU), and write to the pages forked pool children share."""
    gc.freeze()
