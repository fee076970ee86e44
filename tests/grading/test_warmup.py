"""The worker's warm-up grades each reference solution and reports the healthy ones."""

import logging

from grader.grading.assignments import load_assignments
from grader.grading.warmup import warm_up


def test_warm_up_reports_every_assignment_healthy(caplog):
    with caplog.at_level(logging.INFO, logger="grader.grading.warmup"):
        healthy = warm_up()
    assert healthy == {slug: True for slug in load_assignments()}
    assert sum("warm-up:" in record.getMessage() for record in caplog.records) == len(healthy)
