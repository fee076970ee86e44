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


def solution_file(path):
    """The reference solution module at ``path`` (a manifest's ``solution``), once per process:
    how an assignment's own reference answers, whatever the folder's slug."""
    from pathlib import Path

    path = Path(path).resolve()
    if path not in _by_path:
        import importlib.util

        spec = importlib.util.spec_from_file_location(
            f"reference_solution_at_{len(_by_path)}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _by_path[path] = module
    return _by_path[path]


_by_path: dict = {}


def measure_memory(function, *args):
    """Peak bytes of ``function(*args)`` by tracemalloc, as `autograder test` measures the
    submission's on a student's machine (grader/grading/harness/measure/memory.py); in the
    grader the reference's peak is the warden's, from the calibration run."""
    from grader.grading.harness.measure.memory import measure_memory as measure

    return measure(function, *args)
