"""The reference engine and the memory measurement, imported only when a case needs them.

Cases compute their reference data (adjoints at their points, sizes, memory) on first use,
from the trusted reference engine (reference/engine.py), never from another assignment's
solution. The student package restores that data from a snapshot instead, and ships neither
the engine nor `reference/`: this module is the one door to them.
"""

from __future__ import annotations


def engine():
    """The trusted reference engine (reference/engine.py)."""
    from reference import engine

    return engine


def solution_file(path):
    """The reference solution module at ``path`` (a manifest's ``solution``), once per process:
    how an assignment's own reference answers, whatever the folder's slug."""
    from reference import solutions

    return solutions.load_path(path)


def measure_memory(function, *args):
    """Peak bytes of ``function(*args)`` by tracemalloc, as `autograder test` measures the
    submission's on a student's machine (grader/grading/harness/measure/memory.py); in the
    grader the reference's peak is the warden's, from the calibration run."""
    from grader.grading.harness.measure.memory import measure_memory as measure

    return measure(function, *args)
