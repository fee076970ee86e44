"""Warm a grading worker before it forks: grade every reference solution once.

The first grading of an assignment in a process builds its case graphs and reference
answers (about 6-10 s for `autodiff`); done once in the worker's parent process, every
pool child inherits them. It doubles as a self-test of the deployment: a reference
solution that does not score full marks means the sandbox or an assignment is broken.
"""

from __future__ import annotations

import logging
import time

from grader.assignments import load_assignments

from .pipeline import grade_submission

log = logging.getLogger(__name__)


def warm_up() -> dict[str, bool]:
    """Grade each assignment's reference solution; True where it scored full marks."""
    healthy = {}
    for slug, assignment in load_assignments().items():
        started = time.perf_counter()
        document = grade_submission(slug, assignment.solution.read_text(encoding="utf-8"))
        healthy[slug] = document["score"] == document["max_score"]
        elapsed = time.perf_counter() - started
        if healthy[slug]:
            log.info("warm-up: %s graded in %.1f s (%s)", slug, elapsed,
                     document["extra_data"]["isolation"])
        else:
            log.error("warm-up: the reference solution of %s scored %s / %s: the sandbox or "
                      "the assignment is broken", slug, document["score"], document["max_score"])
    return healthy
