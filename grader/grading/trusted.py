"""The reference solutions and the memory measurement, imported only when a case needs them.

Cases compute their reference data (adjoints at their points, sizes, memory) on first use.
The student package restores that data from a snapshot instead, and ships neither the
reference solutions nor `reference/`: this module is the one door to them.
"""

from __future__ import annotations


def solution(slug: str):
    """The reference solution module of assignment ``slug``."""
    from reference import solutions

    return solutions.load(slug)


def measure_memory(function, *args):
    """Peak bytes of ``function(*args)`` by tracemalloc, as `autograder test` measures the
    submission's on a student's machine (grader/grading/harness/measure/memory.py); in the
    grader the reference's peak is the warden's, from the calibration run."""
    from grader.grading.harness.measure.memory import measure_memory as measure

    return measure(function, *args)
