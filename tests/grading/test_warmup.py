"""The worker's warm-up grades each reference solution and reports the healthy ones."""

import gc
import logging

from grader.grading.assignments import load_assignments
from grader.grading.warmup import warm_up


def test_warm_up_reports_every_assignment_healthy(caplog):
    with caplog.at_level(logging.INFO, logger="grader.grading.warmup"):
        healthy = warm_up()
    assert healthy == {slug: True for slug in load_assignments()}
    assert sum("warm-up:" in record.getMessage() for record in caplog.records) == len(healthy)


def test_what_the_warm_up_built_is_out_of_the_collectors_sight():
    """The case graphs and reference answers live as long as the worker: frozen, a full
    collection during a judge no longer walks them (grader/grading/warmup.py)."""
    gc.unfreeze()
    built_before = [object()]  # stands for anything the process holds when it warms up
    try:
        warm_up()
        assert not any(found is built_before for found in gc.get_objects())
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
